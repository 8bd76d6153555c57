# ViTPose multi-dataset training at test size on the embedded synthetic data:
# one tiny PlainViT (width 128, 4 layers), a head for the COCO-format set
# (17 keypoints) and a head for the AI Challenger-format set (14 keypoints),
# every batch 8 COCO-format + 8 AIC-format crops, each dataset validated with
# its own CocoMetric (coco/AP, aic/AP) in one loop. The README compares it
# with td-hm_vitpose-tiny_synthetic-coco-128x96.py (the same model on the
# COCO set alone: the same 8 COCO crops per iteration, the same iterations).
# The tests run it for 2 iterations (--cfg-options train_cfg.max_iters=2 ...).
#
# Data (docs/synthetic.md):
#   python -m mmpose_ext.datasets.synthetic --out data/synthetic
#   python -m mmpose_ext.datasets.synthetic --out data/synthetic_aic \
#       --seed 1 --extra-formats aic
# $MMPOSE_EXT_SYNTHETIC and $MMPOSE_EXT_SYNTHETIC_AIC move the two roots.
_base_ = ['../_base_/default_runtime.py']

custom_imports = dict(
    imports=['mmpose_ext',
             'mmpose.engine.optim_wrappers.layer_decay_optim_wrapper'],
    allow_failed_imports=False)

embed_dims = 128
num_layers = 4
max_iters = 800
batch_size = 16

train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=max_iters)
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999),
                   weight_decay=0.1),
    constructor='LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(num_layers=num_layers, layer_decay_rate=0.75),
    clip_grad=dict(max_norm=1., norm_type=2))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=50, end=max_iters, T_max=max_iters -
         50, eta_min=1e-5, by_epoch=False)
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters, save_best=None,
                    max_keep_ckpts=1))
log_processor = dict(by_epoch=False, window_size=10)
# the heads must fit the datasets: a dataset without a head, a head without
# a dataset, a keypoint count or a codec that does not match stop the run
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
    dict(type='MultiDatasetHeadsHook'),
]

# one codec for both heads: the crops of a batch share the input size
codec = dict(
    type='UDPCodec', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)

# the classic decoder, one per dataset, each with its keypoint count
coco_head = dict(
    type='HeatmapHead',
    in_channels=embed_dims,
    out_channels=17,
    deconv_out_channels=(64, 64),
    deconv_kernel_sizes=(4, 4),
    loss=dict(type='KeypointMSELoss', use_target_weight=True),
    decoder=codec)
aic_head = dict(coco_head, out_channels=14)

model = dict(
    type='MultiHeadTopdownPoseEstimator',
    # measured (README, docs/vitpose.md) with each head's own mean, before
    # per-sample weighting became the default; the arm keeps its setting
    loss_weighting='head_mean',
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
            num_heads=4,
            feedforward_channels=embed_dims * 4),
        img_size=codec['input_size'][::-1],
        patch_size=16,
        patch_padding=2,
        drop_path_rate=0.1,
        init_cfg=None),
    # keyed by the datasets' metainfo dataset_name
    heads=dict(coco=coco_head, aic=aic_head),
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
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='PackPoseInputs')
]

coco_root = '{{$MMPOSE_EXT_SYNTHETIC:data/synthetic}}/'
aic_root = '{{$MMPOSE_EXT_SYNTHETIC_AIC:data/synthetic_aic}}/'
# each dataset runs its own pipeline (its flip pairs, its head's codec) and
# packs its samples; CombinedDataset only concatenates them
coco_train = dict(
    type='CocoDataset', data_root=coco_root, data_mode=data_mode,
    ann_file='annotations/person_keypoints_train.json',
    data_prefix=dict(img='images/train/'), pipeline=train_pipeline)
aic_train = dict(
    type='AicDataset', data_root=aic_root, data_mode=data_mode,
    ann_file='annotations/aic_keypoints_train.json',
    data_prefix=dict(img='images/train/'), pipeline=train_pipeline)
coco_val_ann = coco_root + 'annotations/person_keypoints_val.json'
coco_val = dict(
    type='CocoDataset', data_root=coco_root, data_mode=data_mode,
    ann_file='annotations/person_keypoints_val.json',
    bbox_file=coco_root + 'person_detection_results/'
    'person_detections_val.json',
    data_prefix=dict(img='images/val/'), test_mode=True,
    pipeline=val_pipeline)
aic_val = dict(
    type='AicDataset', data_root=aic_root, data_mode=data_mode,
    ann_file='annotations/aic_keypoints_val.json',
    bbox_file=aic_root + 'person_detection_results/'
    'person_detections_val.json',
    data_prefix=dict(img='images/val/'), test_mode=True,
    pipeline=val_pipeline)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=0,
    persistent_workers=False,
    # every batch: 8 COCO-format crops and 8 AIC-format crops
    sampler=dict(type='MultiSourceSampler', batch_size=batch_size,
                 source_ratio=[1, 1]),
    dataset=dict(
        type='CombinedDataset',
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        datasets=[coco_train, aic_train],
        pipeline=[]))
val_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='CombinedDataset',
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        datasets=[coco_val, aic_val],
        pipeline=[],
        test_mode=True))
test_dataloader = val_dataloader

# one metric per dataset, in the order of `datasets`; prefixes coco/, aic/
val_evaluator = dict(
    type='MultiDatasetEvaluator',
    metrics=[
        dict(type='CocoMetric', prefix='coco', ann_file=coco_val_ann),
        dict(type='CocoMetric', prefix='aic', use_area=False,
             ann_file=aic_root + 'annotations/aic_keypoints_val.json'),
    ],
    datasets=[coco_val, aic_val])
test_evaluator = val_evaluator
