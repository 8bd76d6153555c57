# Arm `coco-aic` of vitpose_multi_dataset: the same backbone, fine-tuned
# from the same MAE pre-training, with a COCO-format and an AIC-format head
# (td-hm_vitpose-p8w192-multi_synthetic-coco-aic-128x96.py), every batch 16
# COCO-format crops (coco-only's batch) + 16 AIC-format crops of other scenes
# (data/synthetic_aic, or $MMPOSE_EXT_SYNTHETIC_AIC); the official loss
# weighting (each crop counts alike); coco/AP on the COCO-format val split
# with the generated person detections, aic/AP logged beside it.
_base_ = [
    '../../vitpose/td-hm_vitpose-p8w192-multi_synthetic-coco-aic-128x96.py'
]

model = dict(loss_weighting='sample')

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
