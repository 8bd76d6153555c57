# The common part of the codec low-resolution comparison at 128x96 (the
# experiment's README: docs/codecs.md, "Trained at low resolution"):
# SimpleBaseline ResNet-18 from scratch on the synthetic set with MMPose's
# standard heatmap codec, trained long enough for that codec to be well off
# AP 0 (the former 60-iteration runs all read AP 0.000). Every arm inherits
# this file and states its own codec, head and the pipelines that use it;
# the 64x48 comparison inherits it too and changes only the size.
#
# Sizes: backbone stride 32 gives 4x3 features at 128x96, three
# deconvolutions of 128 channels (the base config's head) up to 32x24.
# Target widths: heatmap sigma 2 at 32x24 (8 input pixels, the base
# config's width), the DARK/UDP modulation kernel 11; SimDR sigma
# 3 input pixels (3 * k bins: the same ratio to MMPose's 256x192 SimCC
# sigma as the heatmaps' to MMPose's).
_base_ = ['../../simplebaseline/td-hm_res18_synthetic-128x96.py']

input_size = (96, 128)  # (w, h)
heatmap_size = (24, 32)
heatmap_sigma = 2.
blur_kernel_size = 11
simdr_sigma_px = 3.  # SimDR label width in input pixels (x k for bins)
feature_size = (3, 4)  # the backbone's output (w, h)

codec = dict(
    type='MSRAHeatmap',
    input_size=input_size,
    heatmap_size=heatmap_size,
    sigma=heatmap_sigma)

# ground-truth boxes and no flip test, so that neither the detector's errors
# nor flip averaging hide the codec's
model = dict(
    backbone=dict(type='ResNet', depth=18, strides=(1, 2, 2, 2)),
    head=dict(decoder=codec),
    test_cfg=dict(_delete_=True, flip_test=False))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform', rotate_factor=30,
         scale_factor=(0.75, 1.25)),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]
# num_workers and persistent_workers are set by the experiment runner
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(bbox_file=None, pipeline=val_pipeline))
test_dataloader = val_dataloader

# PCK at 0.2 of the box and the mean end-point error move before AP does
val_evaluator = [
    _base_.val_evaluator,
    dict(type='PCKAccuracy', thr=0.2, norm_item='bbox'),
    dict(type='EPE'),
]
test_evaluator = val_evaluator

# Adam 3e-3 (the base config's optimiser), warm-up, cosine over the run;
# evaluated twice so that the records show whether AP still moves
max_iters = 2000
train_cfg = dict(
    _delete_=True, by_epoch=False, max_iters=max_iters, val_interval=1000)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False),
]
# a checkpoint every 500 iterations, the last one kept: the runner resumes
# an interrupted run from it
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(
        _delete_=True, type='CheckpointHook', interval=500, by_epoch=False,
        max_keep_ckpts=1))
log_processor = dict(by_epoch=False, window_size=50)
