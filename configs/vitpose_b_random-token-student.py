_base_ = ['./vitpose/td-hm_vitpose-base-random-token-student_8xb64-210e_coco-256x192.py']
