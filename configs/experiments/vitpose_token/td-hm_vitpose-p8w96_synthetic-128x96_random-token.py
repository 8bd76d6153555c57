# Arm `random` of vitpose_token, and the baseline of vitpose_token_control
# (one run): the p8w96 token student with a fixed random token of the
# knowledge token's norm in the teacher's space (the norm read from the
# `stage1` run's token file of the same seed, which the runner sets), sent
# through the same fitted map, instead of the knowledge token.
_base_ = [
    '../../vitpose/'
    'td-hm_vitpose-p8w96-random-token-student_synthetic-128x96.py'
]

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
