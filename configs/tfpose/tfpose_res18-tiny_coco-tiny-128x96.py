# A small TFPose (ResNet-18, C = 64, N_E = 1, N_D = 2) on the four coco_tiny
# images at 128x96: for the tests of train/test (2 iterations). It stays in
# configs/ (not tests/fixtures/configs/) because the outside-project example
# (tests/fixtures/external_project, docs/topdown.md) inherits it from the
# installed package's configs, one coco_tiny config per model family.
_base_ = [
    './tfpose_res18-paper_synthetic-128x96.py',
    '../_base_/data/coco_tiny_overrides.py',
    '../_base_/test_runs.py'
]

train_cfg = _base_.two_epoch_train_cfg
param_scheduler = _base_.two_epoch_param_scheduler
default_hooks = _base_.two_epoch_default_hooks
log_processor = _base_.two_epoch_log_processor

model = dict(
    neck=dict(out_channels=64, norm_cfg=dict(type='GN', num_groups=8)),
    head=dict(
        embed_dims=64,
        num_encoder_layers=1,
        num_decoder_layers=2,
        num_heads=4,
        feedforward_channels=128,
        aux_head=dict(deconv_out_channels=(32, 32, 32))))

# the data: ../shared/data/coco_tiny (or $MMPOSE_EXT_COCO_TINY), ground-truth
# boxes for validation
train_dataloader = _base_.coco_tiny_train_dataloader
val_dataloader = _base_.coco_tiny_val_dataloader
test_dataloader = val_dataloader
val_evaluator = _base_.coco_tiny_val_evaluator
test_evaluator = val_evaluator
