# Arm `scratch` of vitpose_mae, and arm `classic` of vitpose_decoder (one
# run, its record copied): the tiny ViTPose (width 64, 4 layers, classic
# decoder) on the synthetic set from a random initialisation.
_base_ = ['../../vitpose/td-hm_vitpose-tiny_synthetic-128x96.py']

# every pose arm of the ViTPose experiments fine-tunes for the same 300
# iterations, evaluated once at the end
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
