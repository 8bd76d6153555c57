_base_ = ['./vitpose/td-hm_vitpose-huge-simple_8xb64-210e_coco-256x192.py']
