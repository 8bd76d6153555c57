# Arm `ffn-frozen` of vitpose_partial_finetune: the tiny ViTPose fine-tuned
# from vitpose_mae's MAE pre-training of the same seed (the runner sets
# model.backbone.init_cfg.checkpoint) with every FFN branch (ln2, FFN)
# frozen.
_base_ = [
    '../../vitpose/td-hm_vitpose-tiny-mae-freeze-ffn_synthetic-128x96.py'
]

max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
