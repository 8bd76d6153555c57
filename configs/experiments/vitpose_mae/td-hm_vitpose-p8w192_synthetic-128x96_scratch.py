# Arm `scratch` of vitpose_mae (the baseline), and the baseline of
# vitpose_design (one run, its record copied): the quickstart ViTPose
# (td-hm_vitpose-p8w192_synthetic-128x96.py: patch 8, width 192, 6 layers,
# 3 heads, one x2 deconvolution of 128 channels) with its backbone randomly
# initialised instead of loaded from the MAE pre-training; everything else
# (AdamW lr 1e-3, weight decay 0.1, layer decay 0.75, batch 16, CocoMetric
# on the val split with the generated person detections) as the quickstart.
_base_ = ['../../vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py']

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
