# Test variant of simdr/simdr_res50_8xb64-210e_coco-256x192.py at 128x96:
# ResNet-18 without ImageNet weights (nothing is downloaded), the paper's
# plain CNN head (no deconvolution: 1x1 conv, flatten, linear), two
# iterations on the four coco_tiny images, validation with ground-truth
# boxes.
_base_ = [
    './simdr_res50_8xb64-210e_coco-256x192.py',
    '../_base_/data/coco_tiny_overrides.py',
    '../_base_/test_runs.py'
]

codec = dict(
    type='SimDRLabel', input_size=(96, 128), simcc_split_ratio=2.0,
    label_type='gaussian', sigma=3.0)

model = dict(
    backbone=dict(depth=18, init_cfg=None),
    head=dict(
        in_channels=512,
        input_size=codec['input_size'],
        in_featuremap_size=tuple(s // 32 for s in codec['input_size']),
        simcc_split_ratio=codec['simcc_split_ratio'],
        deconv_out_channels=None,
        decoder=codec))

# The base's pipelines again, with this config's codec: MMEngine resolves
# the base's `codec` inside them when it reads the base.
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]

train_cfg = dict(_delete_=True, **_base_.two_iteration_train_cfg)
param_scheduler = _base_.two_iteration_param_scheduler
default_hooks = _base_.two_iteration_default_hooks
log_processor = _base_.two_iteration_log_processor

# the data: ../shared/data/coco_tiny (or $MMPOSE_EXT_COCO_TINY)
train_dataloader = dict(_base_.coco_tiny_train_dataloader, dataset=dict(
    _base_.coco_tiny_train_dataloader.dataset, pipeline=train_pipeline))
val_dataloader = dict(_base_.coco_tiny_val_dataloader, dataset=dict(
    _base_.coco_tiny_val_dataloader.dataset, pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = _base_.coco_tiny_val_evaluator
test_evaluator = val_evaluator
