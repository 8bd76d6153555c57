# Arm `mhsa-frozen` of vitpose_partial_finetune: the quickstart ViTPose
# fine-tuned from vitpose_mae's MAE pre-training of the same seed (the runner
# sets model.backbone.init_cfg.checkpoint) with every attention branch (ln1,
# MHSA) frozen; all else as vitpose_mae's mae-finetune arm.
_base_ = ['../../vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py']

model = dict(backbone=dict(freeze_attn=True))

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
