# Arm `token` of vitpose_distill_mae: the MAE-initialised p8w96 student with
# the frozen knowledge token of vitpose_token's `stage1` run of the same seed
# (fitted on the frozen MAE-fine-tuned p8w192 teacher; the runner sets the
# token file), mapped from width 192 to 96 by the affine map fitted on the
# first batch, here through the student's MAE-pre-trained patch embedding.
_base_ = [
    '../../vitpose/td-hm_vitpose-p8w96-token-student_synthetic-128x96.py'
]

# the backbone from the `mae` arm of the same seed (the runner sets the
# checkpoint), as the p8w192 teacher's is from its own MAE pre-training
model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint='work_dirs/vitpose_distill_mae/mae/iter_1800.pth')))

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
