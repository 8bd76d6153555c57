# MAE pre-training of the synthetic tiny ViTPose's backbone (width 64, 4
# layers) on the person crops of the embedded synthetic training set (the
# pose configs' box jitter and flips), mask 75 %, a 32-wide 2-layer decoder,
# normalised-pixel loss; 300 iterations of 32 crops, lr 1e-3 (short and
# tiny: MAE's 1.5e-4 per 256 images is for 1600 epochs).
_base_ = ['./mae_vit-base_coco-person-256x192.py']

embed_dims = 64
input_size = (96, 128)
max_iters = 300
data_root = '{{$MMPOSE_EXT_SYNTHETIC:data/synthetic}}/'

# The ViTPose experiments' first MAE arm (tiny, since replaced by the p8w192
# pre-training, mae_vitpose-p8w192_synthetic-128x96.py, which sets MAE's
# recipe) was first run before MAE's fixed sin-cos positions and Xavier
# initialisation became the defaults; this config keeps the settings it was
# run with.
model = dict(
    fixed_pos_embed=False,
    init_scheme='vit',
    backbone=dict(
        arch=dict(embed_dims=embed_dims, num_layers=4, num_heads=4,
                  feedforward_channels=embed_dims * 4),
        img_size=input_size[::-1]),
    decoder=dict(
        embed_dims=32, num_layers=2, num_heads=2, init_scheme='vit'))

train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=max_iters)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
auto_scale_lr = dict(enable=False)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False, window_size=50)

# The base's pipelines again, with this input size: MMEngine resolves the
# base's `input_size` inside them when it reads the base.
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=input_size, use_udp=True),
    dict(type='PackPoseInputs')
]
vis_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=input_size, use_udp=True),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='images/train/'),
        pipeline=train_pipeline))
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
    dict(
        type='MAEReconstructionHook',
        num_crops=6,
        dataset=dict(
            type='CocoDataset',
            data_root=data_root,
            data_mode='topdown',
            ann_file='annotations/person_keypoints_val.json',
            data_prefix=dict(img='images/val/'),
            test_mode=True,
            pipeline=vis_pipeline)),
]
