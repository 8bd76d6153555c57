# TFPose (ResNet-18, N_E = 6, N_D = 6, the tfpose_r18 architecture) on the
# embedded synthetic set at 128x96, the input size of the heatmap baseline
# (configs/simplebaseline/td-hm_res18_synthetic-128x96.py), for the quickstart
# and the same-wall-time comparison with it. From scratch (nothing is
# downloaded); AdamW at 1e-3 with the paper's x0.1 for the transformer.
_base_ = ['../_base_/default_runtime.py', '../_base_/data/synthetic.py']

train_cfg = dict(by_epoch=True, max_epochs=12, val_interval=12)
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=1e-4),
    paramwise_cfg=dict(
        custom_keys={
            'head.encoder': dict(lr_mult=0.1),
            'head.keypoint_decoder': dict(lr_mult=0.1),
            'head.level_embed': dict(lr_mult=0.1),
        }))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=100, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=12, T_max=12, by_epoch=True,
         convert_to_iter_based=True),
]
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=4, max_keep_ckpts=1, save_best='coco/AP',
                    rule='greater'))
log_processor = dict(window_size=20)

codec = dict(
    type='TFPoseLabel',
    input_size=(96, 128),
    heatmap=dict(type='UDPCodec', heatmap_size=(24, 32), sigma=1.))

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='ResNet', depth=18, out_indices=(1, 2, 3)),
    neck=dict(
        type='ChannelMapper',
        in_channels=[128, 256, 512],
        out_channels=256,
        kernel_size=1,
        norm_cfg=dict(type='GN', num_groups=32),
        act_cfg=None),
    head=dict(
        type='TFPoseHead',
        num_keypoints=17,
        num_feature_levels=3,
        embed_dims=256,
        num_encoder_layers=6,
        num_decoder_layers=6,
        num_heads=8,
        num_points=4,
        feedforward_channels=1024,
        dropout=0.1,
        loss=dict(type='L1Loss', use_target_weight=True),
        aux_head=dict(
            type='HeatmapHead',
            deconv_out_channels=(256, 256, 256),
            deconv_kernel_sizes=(4, 4, 4),
            loss=dict(
                type='KeypointMSELoss', use_target_weight=True,
                loss_weight=50.)),
        decoder=codec),
    test_cfg=dict(flip_test=True, shift_coords=True))

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
