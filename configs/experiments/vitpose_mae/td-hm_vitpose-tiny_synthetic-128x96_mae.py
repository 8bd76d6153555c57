# Arm `mae-finetune` of vitpose_mae, and arm `all-trainable` of
# vitpose_partial_finetune (one run): the tiny ViTPose with its backbone
# initialised from the `mae` arm's final checkpoint of the same seed (the
# runner sets model.backbone.init_cfg.checkpoint), fine-tuned as the scratch
# arm. Its final checkpoint is also the teacher of vitpose_token's stage 1
# and of vitpose_heatmap_distill.
_base_ = ['../../vitpose/td-hm_vitpose-tiny-mae_synthetic-128x96.py']

max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
