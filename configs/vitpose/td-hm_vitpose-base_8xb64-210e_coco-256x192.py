# ViTPose-B with the classic decoder on COCO at 256x192 (ViTPose Table 2:
# 75.8 AP with the official code), the recipe of the paper's Table 1:
# AdamW lr 5e-4 (batch 512), weight decay 0.1, layer-wise lr decay 0.75, drop
# path 0.3, gradient clipping 1.0, 210 epochs with steps at 170 and 200, UDP
# heatmaps with sigma 2, flip test.
# The backbone starts from MAE weights: download
#   https://dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_base.pth
# to pretrained/ (see docs/vitpose.md).
_base_ = [
    '../_base_/default_runtime.py', '../_base_/data/coco.py',
    '../_base_/models/imagenet_preprocessor.py'
]

# MMPose's layer-decay constructor lives in a module its registry does not
# import by itself
custom_imports = dict(
    imports=['mmpose_ext', 'mmpose.engine.optim_wrappers.layer_decay_optim_wrapper'],
    allow_failed_imports=False)

# the ViT's width and depth, used by the backbone, the head and layer decay
embed_dims = 768
num_layers = 12

train_cfg = dict(max_epochs=210, val_interval=10)
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.999),
                   weight_decay=0.1),
    # lr of layer i (0-based) = lr * decay ** (num_layers - i); patch and
    # position embeddings one step lower, the head at lr; no weight decay on
    # biases, norms and the position table
    constructor='LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(num_layers=num_layers, layer_decay_rate=0.75),
    clip_grad=dict(max_norm=1., norm_type=2))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=210, milestones=[170, 200],
         gamma=0.1, by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=512)
default_hooks = dict(
    checkpoint=dict(save_best='coco/AP', rule='greater', max_keep_ckpts=1))

codec = dict(
    type='UDPCodec', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=_base_.imagenet_data_preprocessor,
    backbone=dict(
        type='PlainViT',
        arch=dict(
            embed_dims=embed_dims,
            num_layers=num_layers,
            num_heads=12,
            feedforward_channels=embed_dims * 4),
        img_size=codec['input_size'][::-1],
        patch_size=16,
        patch_padding=2,
        drop_path_rate=0.3,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pretrained/mae_pretrain_vit_base.pth')),
    # classic decoder: two deconvolutions (BN, ReLU) and a 1x1 prediction
    head=dict(
        type='HeatmapHead',
        in_channels=embed_dims,
        out_channels=17,
        deconv_out_channels=(256, 256),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
