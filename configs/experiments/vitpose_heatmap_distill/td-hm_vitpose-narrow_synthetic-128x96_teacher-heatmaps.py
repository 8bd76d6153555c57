# Arm `teacher-heatmaps` of vitpose_heatmap_distill: the half-width student
# (no token) with the teacher's heatmaps as a second target (ViTPose Eq. 4);
# the teacher is vitpose_mae's mae-finetune model of the same seed (the
# runner sets model.teacher_checkpoint).
_base_ = [
    '../../vitpose/td-hm_vitpose-narrow-heatmap-student_synthetic-128x96.py'
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
