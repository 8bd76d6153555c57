# SimpleBaseline ResNet-18 at 128x96 on the four coco_tiny images: the smallest
# real model, for tests of the tools (train/test/resume/distributed).
_base_ = [
    './td-hm_res18_synthetic-128x96.py',
    '../_base_/data/coco_tiny_overrides.py'
]

train_cfg = dict(max_epochs=2, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=10, start_factor=0.1, by_epoch=False),
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
log_processor = dict(window_size=1)

# the data: ../shared/data/coco_tiny (or $MMPOSE_EXT_COCO_TINY), ground-truth
# boxes for validation
train_dataloader = _base_.coco_tiny_train_dataloader
val_dataloader = _base_.coco_tiny_val_dataloader
test_dataloader = val_dataloader
val_evaluator = _base_.coco_tiny_val_evaluator
test_evaluator = val_evaluator
