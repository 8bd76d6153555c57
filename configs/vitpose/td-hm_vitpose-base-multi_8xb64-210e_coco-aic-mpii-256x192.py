# ViTPose-B trained on COCO, AI Challenger and MPII at once: one PlainViT-B
# backbone, one classic decoder per dataset (17, 14 and 16 keypoints), the
# "multi-task flexibility" setting of the ViTPose notes (one backbone,
# several decoders, each dataset scoring better than trained alone). It
# inherits td-hm_vitpose-base_8xb64-210e_coco-256x192.py: its recipe (AdamW
# 5e-4 for batch 512, weight decay 0.1, layer decay 0.75, drop path 0.3,
# clipping 1.0, 210 epochs, UDP sigma 2, flip test), its backbone, its head
# (one copy per dataset) and its COCO data. Every batch of 64 per GPU mixes 32
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
_base_ = ['./td-hm_vitpose-base_8xb64-210e_coco-256x192.py']

batch_size = 64

custom_hooks = _base_.custom_hooks + [
    # a dataset without a head, a head without a dataset, a keypoint count
    # or a codec that does not match stop the run, naming the dataset
    dict(type='MultiDatasetHeadsHook'),
]

# the base's classic decoder (two 4x4 deconvolutions, 1x1 prediction), one
# per dataset with its keypoint count
coco_head = _base_.model.head
model = dict(
    _delete_=True,
    type='MultiHeadTopdownPoseEstimator',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=_base_.model.backbone,
    # keyed by the datasets' metainfo dataset_name
    heads=dict(
        coco=coco_head,
        aic=dict(coco_head, out_channels=14),
        mpii=dict(coco_head, out_channels=16)),
    test_cfg=_base_.model.test_cfg)

# (MMPoseInferencer reads the top-level data_mode)
data_mode = 'topdown'

# MPII: MMPose's MPII recipe (no half-body, no shift); COCO and AIC train
# with the base's train_pipeline
mpii_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_prob=0),
    dict(type='TopdownAffine', input_size=_base_.codec['input_size'],
         use_udp=True),
    dict(type='GenerateTarget', encoder=_base_.codec),
    dict(type='PackPoseInputs')
]

aic_root = 'data/aic/'
mpii_root = 'data/mpii/'
aic_train_images = ('ai_challenger_keypoint_train_20170902/'
                    'keypoint_train_images_20170902/')
aic_val_images = ('ai_challenger_keypoint_validation_20170911/'
                  'keypoint_validation_images_20170911/')
# each dataset runs its own pipeline (its flip pairs, its head's codec) and
# packs its samples; CombinedDataset only concatenates them. COCO: the
# base's datasets (_base_/data/coco.py, detected boxes for validation).
coco_train = _base_.train_dataloader.dataset
aic_train = dict(
    type='AicDataset', data_root=aic_root, data_mode=data_mode,
    ann_file='annotations/aic_train.json',
    data_prefix=dict(img=aic_train_images), pipeline=_base_.train_pipeline)
mpii_train = dict(
    type='MpiiDataset', data_root=mpii_root, data_mode=data_mode,
    ann_file='annotations/mpii_train.json',
    data_prefix=dict(img='images/'), pipeline=mpii_train_pipeline)
coco_val = _base_.val_dataloader.dataset
aic_val = dict(
    type='AicDataset', data_root=aic_root, data_mode=data_mode,
    ann_file='annotations/aic_val.json',
    data_prefix=dict(img=aic_val_images), test_mode=True,
    pipeline=_base_.val_pipeline)
mpii_val = dict(
    type='MpiiDataset', data_root=mpii_root, data_mode=data_mode,
    ann_file='annotations/mpii_val.json',
    headbox_file=mpii_root + 'annotations/mpii_gt_val.mat',
    data_prefix=dict(img='images/'), test_mode=True,
    pipeline=_base_.val_pipeline)

# the base's loaders (workers, batch sizes) with a sampler that mixes the
# sources and the combined datasets
train_dataloader = dict(
    batch_size=batch_size,
    sampler=dict(_delete_=True, type='MultiSourceSampler',
                 batch_size=batch_size, source_ratio=[32, 24, 8]),
    dataset=dict(
        _delete_=True,
        type='CombinedDataset',
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        datasets=[coco_train, aic_train, mpii_train],
        pipeline=[]))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CombinedDataset',
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        datasets=[coco_val, aic_val, mpii_val],
        pipeline=[],
        test_mode=True))
test_dataloader = val_dataloader

# one metric per dataset, in the order of `datasets`; COCO's is the base's
# CocoMetric (detected boxes, OKS-NMS)
val_evaluator = dict(
    _delete_=True,
    type='MultiDatasetEvaluator',
    metrics=[
        dict(_base_.val_evaluator, prefix='coco'),
        dict(type='CocoMetric', prefix='aic', use_area=False,
             ann_file=aic_root + 'annotations/aic_val.json'),
        dict(type='MpiiPCKAccuracy', prefix='mpii', norm_item='head'),
    ],
    datasets=[coco_val, aic_val, mpii_val])
test_evaluator = val_evaluator
