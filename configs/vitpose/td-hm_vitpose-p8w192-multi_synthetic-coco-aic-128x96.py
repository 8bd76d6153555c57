# The quickstart ViTPose (td-hm_vitpose-p8w192_synthetic-128x96.py: patch 8,
# width 192, 6 layers, 3 heads, one x2 deconvolution of 128 channels to the
# 32x24 UDP heatmaps) trained on two datasets at once (issue 17, item 5):
# one backbone, a head for the COCO-format synthetic set (17 keypoints) and a
# head for the AI Challenger-format set of other scenes (14 keypoints), every
# batch 16 COCO-format + 16 AIC-format crops, so the COCO part of the batch
# is the quickstart's whole batch of 16. The heads' losses are weighted as
# the official multi-task code does (loss_weighting='sample': each head's
# mean over its own crops times its share of the batch, so every crop counts
# alike; 'head_mean', each head's own mean, is the option).
# Each dataset is validated with its own CocoMetric on its generated person
# detections in one loop: coco/AP (the quickstart's evaluation) and aic/AP.
# The experiment configs/experiments/vitpose_multi_dataset fine-tunes it
# from MAE, 8 + 8 crops per batch on a cut COCO-format set, against the
# quickstart model on that COCO-format set alone.
#
# Built as td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py builds the
# tiny multi-dataset model (MultiHeadTopdownPoseEstimator, CombinedDataset,
# MultiSourceSampler, MultiDatasetEvaluator, MultiDatasetHeadsHook), on the
# quickstart's backbone, head, optimizer (AdamW lr 1e-3, weight decay 0.1,
# layer decay 0.75, clipping at 1), pipelines and schedule (1,500
# iterations); the backbone's init_cfg is the quickstart's (its MAE
# pre-training), which the experiment points at its own MAE run of the
# same seed.
#
# Data (docs/synthetic.md):
#   python -m mmpose_ext.synthetic --out data/synthetic
#   python -m mmpose_ext.synthetic --out data/synthetic_aic \
#       --seed 1 --extra-formats aic
# $MMPOSE_EXT_SYNTHETIC and $MMPOSE_EXT_SYNTHETIC_AIC move the two roots.
_base_ = ['./td-hm_vitpose-p8w192_synthetic-128x96.py']

# crops per batch of each dataset, and the batch
coco_crops = 16
aic_crops = 16
batch_size = coco_crops + aic_crops

# the heads must fit the datasets: a dataset without a head, a head without
# a dataset, a keypoint count or a codec that does not match stop the run
custom_hooks = _base_.custom_hooks + [dict(type='MultiDatasetHeadsHook')]

# the quickstart's decoder (one codec for both heads: the crops of a batch
# share the input size), one per dataset, each with its keypoint count
coco_head = _base_.model.head
aic_head = dict(coco_head, out_channels=14)

model = dict(
    _delete_=True,
    type='MultiHeadTopdownPoseEstimator',
    # the official weighting: every crop of the batch counts alike
    loss_weighting='sample',
    data_preprocessor=_base_.model.data_preprocessor,
    # the quickstart's backbone, unchanged
    backbone=_base_.model.backbone,
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
# validation on the generated person detections, as the quickstart's
coco_val_ann = coco_root + 'annotations/person_keypoints_val.json'
coco_val = _base_.val_dataloader.dataset
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
    # every batch: 16 COCO-format crops and 16 AIC-format crops (the
    # sampler takes batch_size * ratio / sum(ratio) of each source)
    sampler=dict(_delete_=True, type='MultiSourceSampler',
                 batch_size=batch_size, source_ratio=[coco_crops, aic_crops]),
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
