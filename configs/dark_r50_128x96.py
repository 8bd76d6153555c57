_base_ = ['./dark/td-hm_res50_dark-8xb64-210e_coco-128x96.py']
