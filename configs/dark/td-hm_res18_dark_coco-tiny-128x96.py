# Test variant of dark/td-hm_res50_dark-8xb64-210e_coco-128x96.py: ResNet-18
# without ImageNet weights (nothing is downloaded), small deconvolution
# layers, two iterations on the four coco_tiny images, validation with
# ground-truth boxes.
_base_ = [
    './td-hm_res50_dark-8xb64-210e_coco-128x96.py',
    '../_base_/data/coco_tiny_overrides.py'
]

model = dict(
    backbone=dict(depth=18, init_cfg=None),
    head=dict(in_channels=512, deconv_out_channels=(32, 32, 32)))

train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=2, val_interval=2)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=2, start_factor=0.1, by_epoch=False)
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval=2, save_best=None))
log_processor = dict(by_epoch=False, window_size=1)

# the data: ../shared/data/coco_tiny (or $MMPOSE_EXT_COCO_TINY)
train_dataloader = _base_.coco_tiny_train_dataloader
val_dataloader = _base_.coco_tiny_val_dataloader
test_dataloader = val_dataloader
val_evaluator = _base_.coco_tiny_val_evaluator
test_evaluator = val_evaluator
