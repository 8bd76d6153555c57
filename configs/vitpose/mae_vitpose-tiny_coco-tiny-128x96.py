# MAE pre-training at test size: the tiny ViTPose backbone (width 64, 2
# layers, 128x96 crops, 8x6 patches) with a 32-wide, 1-layer decoder on the
# four coco_tiny images, 2 iterations, and the reconstruction pictures of
# four crops. The tests run it with mim train; its checkpoint initialises
# the backbone of td-hm_vitpose-tiny_coco-tiny-128x96.py with
# model.backbone.init_cfg=dict(type='Pretrained', checkpoint=.../iter_2.pth)
# (tests/tools/test_mae_pretraining.py).
_base_ = ['./mae_vit-base_coco-person-256x192.py']

embed_dims = 64
input_size = (96, 128)

model = dict(
    backbone=dict(
        arch=dict(embed_dims=embed_dims, num_layers=2, num_heads=4,
                  feedforward_channels=embed_dims * 4),
        img_size=input_size[::-1]),
    decoder=dict(embed_dims=32, num_layers=1, num_heads=2))

train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=2)
optim_wrapper = dict(optimizer=dict(lr=1.5e-4))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=2, start_factor=0.1, by_epoch=False)
]
auto_scale_lr = None
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval=1, max_keep_ckpts=2))
log_processor = dict(by_epoch=False, window_size=1)

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
coco_tiny = '{{$MMPOSE_EXT_COCO_TINY:../shared/data/coco_tiny}}/'
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=coco_tiny, ann_file='person_keypoints_tiny.json',
                 data_prefix=dict(img=''), pipeline=train_pipeline))
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
    dict(
        type='MAEReconstructionHook',
        num_crops=4,
        dataset=dict(
            type='CocoDataset',
            data_root=coco_tiny,
            data_mode='topdown',
            ann_file='person_keypoints_tiny.json',
            data_prefix=dict(img=''),
            test_mode=True,
            pipeline=vis_pipeline)),
]
