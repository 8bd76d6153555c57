# SimDR on SimpleBaseline ResNet-50 (deconvolution layers, 1x1 conv to 17
# channels, flatten, linear to 384 x bins and 512 y bins) on COCO at 256x192:
# Gaussian labels (sigma 6 bins), split ratio k=2, KL-divergence loss. The
# schedule is MMPose's simcc_res50 recipe (MMPose reports 72.1 AP).
_base_ = ['../_base_/default_runtime.py', '../_base_/data/coco.py']

train_cfg = dict(max_epochs=210, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    dict(type='MultiStepLR', milestones=[170, 200], gamma=0.1, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=512)
default_hooks = dict(checkpoint=dict(save_best='coco/AP', rule='greater'))

codec = dict(
    type='SimDRLabel', input_size=(192, 256), simcc_split_ratio=2.0,
    label_type='gaussian', sigma=6.0)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(
        type='SimDRHead',
        in_channels=2048,
        out_channels=17,
        input_size=codec['input_size'],
        # stride 32 backbone, then three stride-2 deconvolutions
        in_featuremap_size=tuple(s // 32 for s in codec['input_size']),
        simcc_split_ratio=codec['simcc_split_ratio'],
        deconv_out_channels=(256, 256, 256),
        loss=dict(type='KLDiscretLoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
