# Arm `simple` of vitpose_decoder: the tiny ViTPose from scratch with the
# simple decoder (ViTPose Eq. 3: 4x bilinear upsampling, ReLU, 3x3
# convolution) instead of the classic one; all else as the scratch arm.
_base_ = ['../../vitpose/td-hm_vitpose-tiny-simple_synthetic-128x96.py']

max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
