# TFPose, ResNet-50, COCO 256x192 with N_E = 6 encoder layers: the paper's
# 9.2 GFLOPs / 71.0 AP model (Table 5).
_base_ = ['./tfpose_res50_8xb32-210e_coco-256x192.py']

model = dict(head=dict(num_encoder_layers=6))
