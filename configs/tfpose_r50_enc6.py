# Short name for configs/tfpose/tfpose_res50-enc6_8xb32-210e_coco-256x192.py
_base_ = ['./tfpose/tfpose_res50-enc6_8xb32-210e_coco-256x192.py']
