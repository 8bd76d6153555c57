# The multi-dataset model of
# configs/vitpose/td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py
# (MultiHeadTopdownPoseEstimator, a COCO-format head and an AIC-format head,
# every batch 8 COCO-format + 8 AIC-format crops, coco/AP and aic/AP in one
# validation) with a backbone that learns within a CPU budget from scratch:
# MMPose's ResNet-18 and SimpleBaseline's deconvolution heads, at 128x96,
# with the optimizer and the milder augmentation of
# configs/simplebaseline/td-hm_res18_synthetic-128x96.py. Its baseline is
# td-hm_res18_synthetic-coco-128x96.py (the same model, COCO head only, the
# same 8 COCO crops per iteration); the experiment
# configs/experiments/vitpose_multi_dataset_res18 runs both.
#
# Data (docs/synthetic.md):
#   python -m mmpose_ext.synthetic --out data/synthetic
#   python -m mmpose_ext.synthetic --out data/synthetic_aic \
#       --seed 1 --extra-formats aic
_base_ = ['../vitpose/td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py']

custom_imports = dict(imports=['mmpose_ext'], allow_failed_imports=False)

# the base's schedule (800 iterations, warm-up and cosine) with Adam
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='Adam', lr=3e-3))

# the base's codec (UDP heatmaps 32x24 for 128x96 crops): ResNet's stride-32
# features (4x3) through three stride-2 deconvolutions give 32x24
codec = _base_.codec
coco_head = dict(
    type='HeatmapHead',
    in_channels=512,
    out_channels=17,
    deconv_out_channels=(128, 128, 128),
    deconv_kernel_sizes=(4, 4, 4),
    loss=dict(type='KeypointMSELoss', use_target_weight=True),
    decoder=codec)
aic_head = dict(coco_head, out_channels=14)

# the base's model with MMPose's ResNet-18 and these heads
model = dict(
    # the multi-dataset experiment was first run with each head's own mean,
    # before per-sample weighting became the default; it keeps that setting
    loss_weighting='head_mean',
    backbone=dict(_delete_=True, type='ResNet', depth=18),
    heads=dict(_delete_=True, coco=coco_head, aic=aic_head))

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
coco_train = dict(_base_.coco_train, pipeline=train_pipeline)
aic_train = dict(_base_.aic_train, pipeline=train_pipeline)
train_dataloader = dict(dataset=dict(datasets=[coco_train, aic_train]))
