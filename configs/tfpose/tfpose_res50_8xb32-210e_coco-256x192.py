# TFPose, ResNet-50, COCO 256x192, N_E = 4 encoder and N_D = 6 decoder layers:
# the paper's 7.7 GFLOPs / 70.5 AP model (Table 5). Training settings of the
# paper (Sec. 4.1): AdamW (0.9, 0.999), weight decay 1e-4, base lr 4e-3 with a
# cosine schedule, lr x0.1 for the transformer and the keypoint offset
# (refinement) MLPs, random rotation (+-40 deg), scale (0.7-1.3), flip and
# half-body, ImageNet-initialized ResNet, lambda = 50, UDP auxiliary targets.
# Not in the paper (our choices): 210 epochs, 8 x 32 images per batch, 500
# iterations of linear warm-up.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/data/coco.py',
    '../_base_/models/imagenet_preprocessor.py'
]

train_cfg = dict(max_epochs=210, val_interval=10)
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=4e-3, betas=(0.9, 0.999), weight_decay=1e-4),
    # longest key wins; refinement MLPs live in head.query_decoder
    paramwise_cfg=dict(
        custom_keys={
            'head.encoder': dict(lr_mult=0.1),
            'head.query_decoder': dict(lr_mult=0.1),
            'head.level_embed': dict(lr_mult=0.1),
        }))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=210, T_max=210,
         by_epoch=True, convert_to_iter_based=True),
]
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(checkpoint=dict(save_best='coco/AP', rule='greater'))

# Every size comes from here: input 192x256 (w, h), UDP auxiliary heatmaps at
# a quarter of it.
codec = dict(
    type='TFPoseLabel',
    input_size=(192, 256),
    heatmap=dict(type='UDPCodec', heatmap_size=(48, 64), sigma=2.))

# Feature levels entering the encoder: ResNet out_indices (0 = C2, stride 4
# ... 3 = C5, stride 32). C3-C5 (1,008 tokens at 256x192) is what the paper's
# GFLOPs imply; C2-C5 (4,080 tokens) is what its text describes, see
# tfpose_res50-c2c5_8xb32-210e_coco-256x192.py and docs/tfpose.md. The three
# values below (out_indices, in_channels, num_feature_levels) change together.
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=_base_.imagenet_data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(1, 2, 3),
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    # 1x1 conv + GroupNorm to C = 256 per level, as Deformable DETR
    neck=dict(
        type='ChannelMapper',
        in_channels=[512, 1024, 2048],
        out_channels=256,
        kernel_size=1,
        norm_cfg=dict(type='GN', num_groups=32),
        act_cfg=None),
    head=dict(
        type='TFPoseHead',
        num_keypoints=17,
        num_feature_levels=3,
        embed_dims=256,
        num_encoder_layers=4,
        num_decoder_layers=6,
        num_heads=8,
        num_points=4,
        feedforward_channels=1024,
        dropout=0.1,
        with_q2q=True,
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
    dict(type='RandomBBoxTransform', scale_factor=(0.7, 1.3),
         rotate_factor=40.),
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
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
