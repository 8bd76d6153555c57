# SimpleBaseline ResNet-18 at 128x96 on the four coco_tiny images: the smallest
# real model, for tests of the tools (train/test/resume/distributed).
_base_ = [
    './td-hm_res18_synthetic-128x96.py',
    '../_base_/data/coco_tiny_overrides.py',
    '../_base_/test_runs.py'
]

train_cfg = _base_.two_epoch_train_cfg
param_scheduler = _base_.two_epoch_param_scheduler
default_hooks = _base_.two_epoch_default_hooks
log_processor = _base_.two_epoch_log_processor

# the data: ../shared/data/coco_tiny (or $MMPOSE_EXT_COCO_TINY), ground-truth
# boxes for validation
train_dataloader = _base_.coco_tiny_train_dataloader
val_dataloader = _base_.coco_tiny_val_dataloader
test_dataloader = val_dataloader
val_evaluator = _base_.coco_tiny_val_evaluator
test_evaluator = val_evaluator
