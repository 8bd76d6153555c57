# Arm `mae` of vitpose_mae (no evaluation): MAE pre-training of the tiny
# ViTPose backbone on the synthetic training crops. Its final checkpoint
# initialises the backbone of the `mae-finetune` arm and of the partial
# fine-tuning arms (vitpose_partial_finetune) at the same seed.
_base_ = ['../../vitpose/mae_vitpose-tiny_synthetic-128x96.py']

# the schedule this arm was designed with, stated here so that a later
# change of the base's length cannot move the measured arm
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
