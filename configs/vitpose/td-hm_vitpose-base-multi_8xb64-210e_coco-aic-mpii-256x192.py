# ViTPose-B trained on COCO, AI Challenger and MPII at once: one PlainViT-B
# backbone, one classic decoder per dataset (17, 14 and 16 keypoints), the
# "multi-task flexibility" setting of the ViTPose notes (one backbone,
# several decoders, each dataset scoring better than trained alone). The
# recipe of td-hm_vitpose-base_8xb64-210e_coco-256x192.py (AdamW 5e-4 for
# batch 512, weight decay 0.1, layer decay 0.75, drop path 0.3, clipping 1.0,
# 210 epochs, UDP sigma 2, flip test). Every batch of 64 per GPU mixes 32
# COCO, 24 AIC and 8 MPII crops (MultiSourceSampler; our choice: the notes
# give no mix). The crops of a batch share one input size, so MPII is
# trained at 256x192 too (MMPose's MPII configs use 256x256).
# Validation scores each dataset with its own metric in one loop:
# coco/AP (CocoMetric, detected boxes), aic/AP (CocoMetric, AIC sigmas),
# mpii/PCKh (MpiiPCKAccuracy).
#
# Data, in MMPose's standard layouts:
#   data/coco/annotations/person_keypoints_{train,val}2017.json,
#     person_detection_results/COCO_val2017_detections_AP_H_56_person.json,
#     train2017/, val2017/
#   data/aic/annotations/aic_{train,val}.json,
#     ai_challenger_keypoint_train_20170902/keypoint_train_images_20170902/,
#     ai_challenger_keypoint_validation_20170911/
#     keypoint_validation_images_20170911/
#   data/mpii/annotations/mpii_{train,val}.json, mpii_gt_val.mat, images/
# The backbone starts from MAE weights (pretrained/mae_pretrain_vit_base.pth,
# docs/vitpose.md); or initialise backbone and COCO head from a ViTPose-B
# COCO checkpoint with
#   --cfg-options model.init_from.checkpoint=PATH model.init_from.head=coco
_base_ = ['../_base_/default_runtime.py']

custom_imports = dict(
    imports=['mmpose_ext',
             'mmpose.engine.optim_wrappers.layer_decay_optim_wrapper'],
    allow_failed_imports=False)

embed_dims = 768
num_layers = 12
batch_size = 64

train_cfg = dict(max_epochs=210, val_interval=10)
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.999),
                   weight_decay=0.1),
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
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
    # a dataset without a head, a head without a dataset, a keypoint count
    # or a codec that does not match stop the run, naming the dataset
    dict(type='MultiDatasetHeadsHook'),
]

codec = dict(
    type='UDPCodec', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)

# the classic decoder (two 4x4 deconvolutions, 1x1 prediction) per dataset
coco_head = dict(
    type='HeatmapHead',
    in_channels=embed_dims,
    out_channels=17,
    deconv_out_channels=(256, 256),
    deconv_kernel_sizes=(4, 4),
    loss=dict(type='KeypointMSELoss', use_target_weight=True),
    decoder=codec)

model = dict(
    type='MultiHeadTopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
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
    # keyed by the datasets' metainfo dataset_name
    heads=dict(
        coco=coco_head,
        aic=dict(coco_head, out_channels=14),
        mpii=dict(coco_head, out_channels=16)),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))

# (MMPoseInferencer reads the top-level data_mode)
data_mode = 'topdown'

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
# MPII: MMPose's MPII recipe (no half-body, no shift)
mpii_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_prob=0),
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

coco_root = 'data/coco/'
aic_root = 'data/aic/'
mpii_root = 'data/mpii/'
aic_train_images = ('ai_challenger_keypoint_train_20170902/'
                    'keypoint_train_images_20170902/')
aic_val_images = ('ai_challenger_keypoint_validation_20170911/'
                  'keypoint_validation_images_20170911/')
# each dataset runs its own pipeline (its flip pairs, its head's codec) and
# packs its samples; CombinedDataset only concatenates them
coco_train = dict(
    type='CocoDataset', data_root=coco_root, data_mode=data_mode,
    ann_file='annotations/person_keypoints_train2017.json',
    data_prefix=dict(img='train2017/'), pipeline=train_pipeline)
aic_train = dict(
    type='AicDataset', data_root=aic_root, data_mode=data_mode,
    ann_file='annotations/aic_train.json',
    data_prefix=dict(img=aic_train_images), pipeline=train_pipeline)
mpii_train = dict(
    type='MpiiDataset', data_root=mpii_root, data_mode=data_mode,
    ann_file='annotations/mpii_train.json',
    data_prefix=dict(img='images/'), pipeline=mpii_train_pipeline)
coco_val = dict(
    type='CocoDataset', data_root=coco_root, data_mode=data_mode,
    ann_file='annotations/person_keypoints_val2017.json',
    bbox_file=coco_root + 'person_detection_results/'
    'COCO_val2017_detections_AP_H_56_person.json',
    filter_cfg=dict(bbox_score_thr=0.0),
    data_prefix=dict(img='val2017/'), test_mode=True,
    pipeline=val_pipeline)
aic_val = dict(
    type='AicDataset', data_root=aic_root, data_mode=data_mode,
    ann_file='annotations/aic_val.json',
    data_prefix=dict(img=aic_val_images), test_mode=True,
    pipeline=val_pipeline)
mpii_val = dict(
    type='MpiiDataset', data_root=mpii_root, data_mode=data_mode,
    ann_file='annotations/mpii_val.json',
    headbox_file=mpii_root + 'annotations/mpii_gt_val.mat',
    data_prefix=dict(img='images/'), test_mode=True,
    pipeline=val_pipeline)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='MultiSourceSampler', batch_size=batch_size,
                 source_ratio=[32, 24, 8]),
    dataset=dict(
        type='CombinedDataset',
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        datasets=[coco_train, aic_train, mpii_train],
        pipeline=[]))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='CombinedDataset',
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        datasets=[coco_val, aic_val, mpii_val],
        pipeline=[],
        test_mode=True))
test_dataloader = val_dataloader

# one metric per dataset, in the order of `datasets`
val_evaluator = dict(
    type='MultiDatasetEvaluator',
    metrics=[
        dict(type='CocoMetric', prefix='coco',
             ann_file=coco_root + 'annotations/person_keypoints_val2017.json',
             score_mode='bbox_keypoint', keypoint_score_thr=0.2,
             nms_mode='oks_nms', nms_thr=0.9),
        dict(type='CocoMetric', prefix='aic', use_area=False,
             ann_file=aic_root + 'annotations/aic_val.json'),
        dict(type='MpiiPCKAccuracy', prefix='mpii', norm_item='head'),
    ],
    datasets=[coco_val, aic_val, mpii_val])
test_evaluator = val_evaluator
