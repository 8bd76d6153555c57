# Arm `lr2e-3` of vitpose_design: the quickstart ViTPose
# (td-hm_vitpose-p8w192_synthetic-128x96.py) from scratch (backbone randomly
# initialised), as vitpose_mae's `scratch` arm (the baseline), with one
# change: the peak learning rate 2e-3 instead of 1e-3 (same warm-up
# and cosine decay, same layer decay and weight decay).
_base_ = ['../../vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py']

optim_wrapper = dict(optimizer=dict(lr=2e-3))
model = dict(backbone=dict(init_cfg=None))

# the schedule of every pose arm of the ViTPose experiments (the quickstart
# ViTPose's: 1,500 iterations, a 40-iteration warm-up, cosine to the end),
# stated here so that a later change of the base cannot move the measured
# arm; evaluated once, at the end, and checkpointed every third of the
# run so that an interrupted run resumes
max_iters = 1500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters // 3))
