# TFPose, ResNet-18, COCO 256x192, N_E = 6, N_D = 6 with the auxiliary loss:
# the paper's ablation base (Tables 3 and 4: about 6.8 GFLOPs, 69.5 AP).
_base_ = ['./tfpose_res50_8xb32-210e_coco-256x192.py']

model = dict(
    backbone=dict(
        depth=18,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[128, 256, 512]),
    head=dict(num_encoder_layers=6))
