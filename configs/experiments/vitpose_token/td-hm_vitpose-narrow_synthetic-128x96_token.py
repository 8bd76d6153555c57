# Arm `token` of vitpose_token and vitpose_token_control (one run): the
# half-width student with the frozen knowledge token of the `stage1` run of
# the same seed (the runner sets
# model.backbone.knowledge_tokens.token_file), mapped to the student's width
# by the affine map fitted on the first batch.
_base_ = [
    '../../vitpose/td-hm_vitpose-narrow-token-student_synthetic-128x96.py'
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
