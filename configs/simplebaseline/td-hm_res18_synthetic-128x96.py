# SimpleBaseline (ResNet-18, deconvolution head, MSRA heatmaps) on the
# embedded synthetic set at 128x96: the heatmap baseline that TFPose is
# compared with for the same wall time.
# From scratch (no ImageNet weights: nothing is downloaded), about 9 minutes
# on 2 idle CPU cores with the generator's default data (see docs/synthetic.md
# for the measured AP and time).
_base_ = [
    '../_base_/default_runtime.py', '../_base_/data/synthetic.py',
    '../_base_/models/imagenet_preprocessor.py'
]

# ~18k crops seen in total. Small batches and a high Adam rate: with so few
# samples from scratch, the number of updates is what limits the AP.
train_cfg = dict(by_epoch=True, max_epochs=5, val_interval=5)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=3e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=5, T_max=5, by_epoch=True,
         convert_to_iter_based=True),
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=5, max_keep_ckpts=1, save_best='coco/AP',
                    rule='greater'))
log_processor = dict(window_size=50)

# sigma 2 (MMPose uses 2 at 64x48): wider targets give a from-scratch
# model a usable gradient sooner than sigma 1 does in so short a schedule
codec = dict(
    type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=_base_.imagenet_data_preprocessor,
    backbone=dict(type='ResNet', depth=18),
    head=dict(
        type='HeatmapHead',
        in_channels=512,
        out_channels=17,
        deconv_out_channels=(128, 128, 128),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    # milder than MMPose's default (rotation 80, scale 0.5-1.5): the figures
    # already vary in roll and size, and a 10-minute schedule cannot afford
    # learning the extra invariance
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
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
