# Arm `no-token` of vitpose_token (the baseline), and arm `none` of
# vitpose_heatmap_distill (one run): the student of the synthetic
# distillation experiments, the tiny ViTPose at half width (32, 2 heads),
# from scratch, without token or distillation.
_base_ = ['../../vitpose/td-hm_vitpose-narrow_synthetic-128x96.py']

max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
