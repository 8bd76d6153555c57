# Test variant of udp/td-hm_res50_udp-8xb64-210e_coco-256x192.py at 128x96:
# ResNet-18 without ImageNet weights (nothing is downloaded), small
# deconvolution layers, two iterations on the four coco_tiny images,
# validation with ground-truth boxes.
_base_ = [
    './td-hm_res50_udp-8xb64-210e_coco-256x192.py',
    '../_base_/data/coco_tiny_overrides.py',
    '../_base_/test_runs.py'
]

codec = dict(
    type='UDPCodec', input_size=(96, 128), heatmap_size=(24, 32), sigma=1,
    blur_kernel_size=5)

model = dict(
    backbone=dict(depth=18, init_cfg=None),
    head=dict(
        in_channels=512, deconv_out_channels=(32, 32, 32), decoder=codec))

# The base's pipelines again, with this config's codec: MMEngine resolves
# the base's `codec` inside them when it reads the base.
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
