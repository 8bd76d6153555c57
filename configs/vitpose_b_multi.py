_base_ = ['./vitpose/td-hm_vitpose-base-multi_8xb64-210e_coco-aic-mpii-256x192.py']
