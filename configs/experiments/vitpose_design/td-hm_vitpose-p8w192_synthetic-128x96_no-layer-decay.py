# Arm `no-layer-decay` of vitpose_design: the quickstart ViTPose
# (td-hm_vitpose-p8w192_synthetic-128x96.py) from scratch (backbone randomly
# initialised), as vitpose_mae's `scratch` arm (the baseline), with one
# change: layer-wise lr decay off (decay rate 1: every layer at the
# peak lr; the constructor still keeps weight decay off biases, norms and the
# position table). Weight decay stays 0.1: issue 17's one-seed probe changed
# it to 0.05 at the same time, which would leave the row unable to say which
# of the two changes did what.
_base_ = ['../../vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=1.0))
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
