_base_ = ['./vitpose/td-hm_vitpose-large-token-teacher_8xb64-10e_coco-256x192.py']
