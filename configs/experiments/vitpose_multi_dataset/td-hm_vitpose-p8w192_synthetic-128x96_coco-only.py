# Arm `coco-only` of vitpose_multi_dataset (the baseline): the quickstart
# ViTPose (td-hm_vitpose-p8w192_synthetic-128x96.py: patch 8, width 192,
# 6 layers, 3 heads, one x2 deconvolution of 128 channels) fine-tuned from
# the MAE pre-training of the same seed (vitpose_mae's `mae` run, given by
# experiment.yml; as vitpose_mae's `mae-finetune` arm at another length),
# with its COCO head alone on the COCO-format synthetic set, 16 crops per
# batch (the COCO part of the other arm's batch); CocoMetric on the val
# split with the generated person detections. From MAE, as the ViTPose
# paper's multi-dataset models are: from scratch this model is still at AP
# 0.038 after 1,500 iterations, far from where its AP stops rising.
_base_ = ['../../vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py']

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
