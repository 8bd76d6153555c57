# Arm `mae` of vitpose_mae (no evaluation): the quickstart's MAE
# pre-training of the p8w192 backbone (mae_vitpose-p8w192_synthetic-128x96.py:
# 1,800 iterations of 64 person crops of the unlabeled synthetic set
# data/synthetic_mae, 75 % masked, normalised pixels,
# AdamW lr 3.75e-4, betas (0.9, 0.95), weight decay 0.05). Its final
# checkpoint initialises the backbone of the `mae-finetune` arm, of
# vitpose_decoder's `simple` arm and of the partial fine-tuning arms
# (vitpose_partial_finetune) at the same seed.
_base_ = ['../../vitpose/mae_vitpose-p8w192_synthetic-128x96.py']

# the quickstart's schedule (a 100-iteration warm-up, cosine to 1,800),
# stated here so that a later change of the base's length cannot move the
# measured arm; a checkpoint every 10 % of the run, as the quickstart, so
# that an interrupted pre-training resumes close to where it stopped
max_iters = 1800
warmup_iters = 100
train_cfg = dict(max_iters=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=warmup_iters, start_factor=1e-3,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=warmup_iters, end=max_iters,
         T_max=max_iters - warmup_iters, eta_min=0., by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters // 10))
