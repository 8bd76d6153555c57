# Arm `coco-aic` of vitpose_multi_dataset: the same backbone, fine-tuned
# from the same MAE pre-training, with a COCO-format and an AIC-format head
# (td-hm_vitpose-p8w192-multi_synthetic-coco-aic-128x96.py). The batch stays
# 16 crops, 8 from the baseline's 400 COCO-format crops and 8 from the whole
# AIC-format set of other scenes (data/synthetic_aic, or
# $MMPOSE_EXT_SYNTHETIC_AIC; ~3,600 crops), as the official code mixes its
# datasets into one batch: equal iterations and equal compute, the COCO
# head seeing half the baseline's COCO crops. The official loss weighting
# (each crop counts alike); coco/AP on the COCO-format val split with the
# generated person detections, aic/AP logged beside it.
_base_ = [
    '../../vitpose/td-hm_vitpose-p8w192-multi_synthetic-coco-aic-128x96.py'
]

model = dict(loss_weighting='sample')

# the baseline's 400 COCO-format crops (see the coco-only arm)
coco_train_crops = 400
coco_train = dict(_base_.coco_train, indices=coco_train_crops)
coco_crops = 8
aic_crops = 8
batch_size = coco_crops + aic_crops
train_dataloader = dict(
    batch_size=batch_size,
    sampler=dict(batch_size=batch_size, source_ratio=[coco_crops, aic_crops]),
    dataset=dict(datasets=[coco_train, _base_.aic_train]))

# the comparison's schedule, stated in every arm so that a later change of
# a base cannot move a measured arm: 1,000 iterations, a 40-iteration
# warm-up and cosine to the end; evaluated every 250 iterations and
# checkpointed as often (the last kept) so that an interrupted run resumes
max_iters = 1000
val_interval = 250
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(
    checkpoint=dict(interval=val_interval, max_keep_ckpts=1))
