_base_ = ['./udp/td-hm_res50_udp-8xb64-210e_coco-256x192.py']
