# Arm `coco-only` of vitpose_multi_dataset (the baseline): the quickstart
# ViTPose (td-hm_vitpose-p8w192_synthetic-128x96.py: patch 8, width 192,
# 6 layers, 3 heads, one x2 deconvolution of 128 channels) fine-tuned from
# the experiment's MAE pre-training of the same seed, its COCO head alone,
# 16 crops per batch from the first 400 person crops of the COCO-format
# training set; CocoMetric on the full val split with the generated person
# detections.
_base_ = ['../../vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py']

# 400 of the set's ~3,600 crops (MMEngine's `indices`: the first 400 after
# MMPose's filtering, i.e. the people of the first ~200 images): so few
# that this arm's val AP stops rising within the run (1,000 iterations of
# 16 are 40 passes over them), which is where a second dataset can pay,
# and within what one session on the 2 cores can train
coco_train_crops = 400
train_dataloader = dict(dataset=dict(indices=coco_train_crops))

# the comparison's schedule, stated in every arm so that a later change of
# a base cannot move a measured arm: 1,000 iterations, a 40-iteration
# warm-up and cosine to the end; evaluated every 250 iterations (the curve
# shows whether and where AP levels off) and checkpointed as often (the
# last kept) so that an interrupted run resumes
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
