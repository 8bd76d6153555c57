# ViTPose multi-dataset training at test size on the embedded synthetic data:
# one tiny PlainViT (width 128, 4 layers), a head for the COCO-format set
# (17 keypoints) and a head for the AI Challenger-format set (14 keypoints),
# every batch 8 COCO-format + 8 AIC-format crops, each dataset validated with
# its own CocoMetric (coco/AP, aic/AP) in one loop. The base of the
# ResNet-18 multi-dataset config (configs/experiments/
# vitpose_multi_dataset_res18) and of the COCO + AIC + MPII config the tests
# run for 2 iterations (--cfg-options train_cfg.max_iters=2 ...); the
# multi-dataset experiment itself (configs/experiments/vitpose_multi_dataset)
# runs td-hm_vitpose-p8w192-multi_synthetic-coco-aic-128x96.py, since this
# tiny ViT stayed at AP ~0.
# It inherits td-hm_vitpose-tiny_synthetic-128x96.py (codec, pipelines,
# optimizer with layer decay, the head's layout, the COCO-format training
# set) and widens the backbone to 128.
#
# Data (docs/synthetic.md):
#   python -m mmpose_ext.synthetic --out data/synthetic
#   python -m mmpose_ext.synthetic --out data/synthetic_aic \
#       --seed 1 --extra-formats aic
# $MMPOSE_EXT_SYNTHETIC and $MMPOSE_EXT_SYNTHETIC_AIC move the two roots.
_base_ = ['./td-hm_vitpose-tiny_synthetic-128x96.py']

embed_dims = 128
max_iters = 800
batch_size = 16

train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=50, end=max_iters, T_max=max_iters -
         50, eta_min=1e-5, by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
log_processor = dict(window_size=10)
# the heads must fit the datasets: a dataset without a head, a head without
# a dataset, a keypoint count or a codec that does not match stop the run
custom_hooks = _base_.custom_hooks + [dict(type='MultiDatasetHeadsHook')]

# the base's classic decoder (one codec for both heads: the crops of a batch
# share the input size), one per dataset, each with its keypoint count
coco_head = dict(_base_.model.head, in_channels=embed_dims)
aic_head = dict(coco_head, out_channels=14)

model = dict(
    _delete_=True,
    type='MultiHeadTopdownPoseEstimator',
    # the first multi-dataset experiment (this tiny model, and the ResNet-18
    # one, which restates it) ran with each head's own mean, before
    # per-sample weighting became the default; it keeps that setting
    loss_weighting='head_mean',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(
        _base_.model.backbone,
        arch=dict(
            embed_dims=embed_dims,
            num_layers=_base_.num_layers,
            num_heads=4,
            feedforward_channels=embed_dims * 4),
        drop_path_rate=0.1),
    # keyed by the datasets' metainfo dataset_name
    heads=dict(coco=coco_head, aic=aic_head),
    test_cfg=_base_.model.test_cfg)

# (MMPoseInferencer reads the top-level data_mode)
data_mode = 'topdown'

coco_root = '{{$MMPOSE_EXT_SYNTHETIC:data/synthetic}}/'
aic_root = '{{$MMPOSE_EXT_SYNTHETIC_AIC:data/synthetic_aic}}/'
# each dataset runs its own pipeline (its flip pairs, its head's codec) and
# packs its samples; CombinedDataset only concatenates them
coco_train = _base_.train_dataloader.dataset
aic_train = dict(
    type='AicDataset', data_root=aic_root, data_mode=data_mode,
    ann_file='annotations/aic_keypoints_train.json',
    data_prefix=dict(img='images/train/'), pipeline=_base_.train_pipeline)
# validation on the generated person detections (the base: ground truth)
coco_val_ann = coco_root + 'annotations/person_keypoints_val.json'
coco_val = dict(
    type='CocoDataset', data_root=coco_root, data_mode=data_mode,
    ann_file='annotations/person_keypoints_val.json',
    bbox_file=coco_root + 'person_detection_results/'
    'person_detections_val.json',
    data_prefix=dict(img='images/val/'), test_mode=True,
    pipeline=_base_.val_pipeline)
aic_val = dict(
    type='AicDataset', data_root=aic_root, data_mode=data_mode,
    ann_file='annotations/aic_keypoints_val.json',
    bbox_file=aic_root + 'person_detection_results/'
    'person_detections_val.json',
    data_prefix=dict(img='images/val/'), test_mode=True,
    pipeline=_base_.val_pipeline)

# the base's loaders (no workers) with a sampler that mixes the sources and
# the combined datasets
train_dataloader = dict(
    batch_size=batch_size,
    # every batch: 8 COCO-format crops and 8 AIC-format crops
    sampler=dict(_delete_=True, type='MultiSourceSampler',
                 batch_size=batch_size, source_ratio=[1, 1]),
    dataset=dict(
        _delete_=True,
        type='CombinedDataset',
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        datasets=[coco_train, aic_train],
        pipeline=[]))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CombinedDataset',
        metainfo=dict(from_file='configs/_base_/datasets/coco.py'),
        datasets=[coco_val, aic_val],
        pipeline=[],
        test_mode=True))
test_dataloader = val_dataloader

# one metric per dataset, in the order of `datasets`; prefixes coco/, aic/
val_evaluator = dict(
    _delete_=True,
    type='MultiDatasetEvaluator',
    metrics=[
        dict(type='CocoMetric', prefix='coco', ann_file=coco_val_ann),
        dict(type='CocoMetric', prefix='aic', use_area=False,
             ann_file=aic_root + 'annotations/aic_keypoints_val.json'),
    ],
    datasets=[coco_val, aic_val])
test_evaluator = val_evaluator
