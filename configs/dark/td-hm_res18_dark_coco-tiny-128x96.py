# Test variant of dark/td-hm_res50_dark-8xb64-210e_coco-128x96.py: ResNet-18
# without ImageNet weights (nothing is downloaded), small deconvolution
# layers, two iterations on the four coco_tiny images, validation with
# ground-truth boxes.
_base_ = [
    './td-hm_res50_dark-8xb64-210e_coco-128x96.py',
    '../_base_/data/coco_tiny_overrides.py',
    '../_base_/test_runs.py'
]

model = dict(
    backbone=dict(depth=18, init_cfg=None),
    head=dict(in_channels=512, deconv_out_channels=(32, 32, 32)))

train_cfg = dict(_delete_=True, **_base_.two_iteration_train_cfg)
param_scheduler = _base_.two_iteration_param_scheduler
default_hooks = _base_.two_iteration_default_hooks
log_processor = _base_.two_iteration_log_processor

# the data: ../shared/data/coco_tiny (or $MMPOSE_EXT_COCO_TINY)
train_dataloader = _base_.coco_tiny_train_dataloader
val_dataloader = _base_.coco_tiny_val_dataloader
test_dataloader = val_dataloader
val_evaluator = _base_.coco_tiny_val_evaluator
test_evaluator = val_evaluator
