# Arm `coco-aic-head-mean` of vitpose_multi_dataset: arm `coco-aic` with
# each head's loss its own mean over its crops (loss_weighting='head_mean',
# the option) instead of the official weighting by the head's share of the
# batch. With 16 + 16 crops the shares are 1/2 each, so this doubles the
# total loss; only AdamW's epsilon and the gradient clipping at norm 1 can
# tell the two apart.
_base_ = [
    '../../vitpose/td-hm_vitpose-p8w192-multi_synthetic-coco-aic-128x96.py'
]

model = dict(backbone=dict(init_cfg=None), loss_weighting='head_mean')

# the comparison's schedule, stated in every arm so that a later change of
# a base cannot move a measured arm: 4,500 iterations (three times the
# quickstart's 1,500: meant to run coco-only past the point where its val
# AP stops rising, where extra data can pay), a 40-iteration warm-up and
# cosine to the end; evaluated every 500 iterations (the curve shows
# whether and where AP levels off) and checkpointed as often (the last
# kept) so that an interrupted run resumes
max_iters = 4500
val_interval = 500
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(
    checkpoint=dict(interval=val_interval, max_keep_ckpts=1))
