# The multi-dataset model of
# configs/vitpose/td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py
# (MultiHeadTopdownPoseEstimator, a COCO-format head and an AIC-format head,
# every batch 8 COCO-format + 8 AIC-format crops, coco/AP and aic/AP in one
# validation) with a backbone that learns within a CPU budget from scratch:
# MMPose's ResNet-18 and SimpleBaseline's deconvolution heads, at 128x96,
# with the optimizer and the milder augmentation of
# configs/simplebaseline/td-hm_res18_synthetic-128x96.py. Its baseline is
# td-hm_res18_synthetic-coco-128x96.py (the same model, COCO head only, the
# same 8 COCO crops per iteration); benchmarks/vitpose_multi_dataset.py
# --backbone resnet18 runs both.
#
# Data (docs/synthetic.md):
#   python -m mmpose_ext.datasets.synthetic --out data/synthetic
#   python -m mmpose_ext.datasets.synthetic --out data/synthetic_aic \
#       --seed 1 --extra-formats aic
_base_ = ['../vitpose/td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py']

custom_imports = dict(imports=['mmpose_ext'], allow_failed_imports=False)

max_iters = 800
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='Adam', lr=3e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=50, end=max_iters,
         T_max=max_iters - 50, eta_min=1e-5, by_epoch=False)
]

# the base's codec (UDP heatmaps 32x24 for 128x96 crops): ResNet's stride-32
# features (4x3) through three stride-2 deconvolutions give 32x24
codec = dict(
    type='UDPCodec', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)
coco_head = dict(
    type='HeatmapHead',
    in_channels=512,
    out_channels=17,
    deconv_out_channels=(128, 128, 128),
    deconv_kernel_sizes=(4, 4, 4),
    loss=dict(type='KeypointMSELoss', use_target_weight=True),
    decoder=codec)
aic_head = dict(coco_head, out_channels=14)

model = dict(
    _delete_=True,
    type='MultiHeadTopdownPoseEstimator',
    # measured (README, docs/vitpose.md) with each head's own mean, before
    # per-sample weighting became the default; the arm keeps its setting
    loss_weighting='head_mean',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='ResNet', depth=18),
    heads=dict(coco=coco_head, aic=aic_head),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))

# SimpleBaseline's milder augmentation (rotation 30, scale 0.75-1.25)
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform', rotate_factor=30,
         scale_factor=(0.75, 1.25)),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
coco_root = '{{$MMPOSE_EXT_SYNTHETIC:data/synthetic}}/'
aic_root = '{{$MMPOSE_EXT_SYNTHETIC_AIC:data/synthetic_aic}}/'
coco_train = dict(
    type='CocoDataset', data_root=coco_root, data_mode='topdown',
    ann_file='annotations/person_keypoints_train.json',
    data_prefix=dict(img='images/train/'), pipeline=train_pipeline)
aic_train = dict(
    type='AicDataset', data_root=aic_root, data_mode='topdown',
    ann_file='annotations/aic_keypoints_train.json',
    data_prefix=dict(img='images/train/'), pipeline=train_pipeline)
train_dataloader = dict(dataset=dict(datasets=[coco_train, aic_train]))
