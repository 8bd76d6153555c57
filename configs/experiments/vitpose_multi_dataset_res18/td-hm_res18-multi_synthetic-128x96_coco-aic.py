# Arm `coco-aic` of vitpose_multi_dataset_res18: the same ResNet-18 with a
# COCO-format and an AIC-format head, every batch 8 COCO-format + 8
# AIC-format crops (the AIC-format set: data/synthetic_aic, or
# $MMPOSE_EXT_SYNTHETIC_AIC).
_base_ = [
    '../../simplebaseline/td-hm_res18-multi_synthetic-coco-aic-128x96.py'
]

# the comparison's schedule: the cosine decay (after the base's warm-up)
# ends with the run
max_iters = 600
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=50, end=max_iters,
         T_max=max_iters - 50, eta_min=1e-5, by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters // 3))
