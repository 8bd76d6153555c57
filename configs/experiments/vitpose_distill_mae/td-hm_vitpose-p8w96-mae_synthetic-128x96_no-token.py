# Arm `no-token` of vitpose_distill_mae (the baseline): the p8w96 student of
# vitpose_token's no-token arm, fine-tuned from the MAE pre-training of its
# own width (the `mae` arm) instead of from scratch.
_base_ = ['../../vitpose/td-hm_vitpose-p8w96_synthetic-128x96.py']

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
