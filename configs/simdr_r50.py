_base_ = ['./simdr/simdr_res50_8xb64-210e_coco-256x192.py']
