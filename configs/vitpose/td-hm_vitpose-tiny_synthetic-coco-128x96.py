# The baseline of the multi-dataset comparison
# (configs/experiments/vitpose_multi_dataset): the model of
# td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py (same backbone, the
# same COCO head, schedule and iterations) trained on the COCO-format
# synthetic set alone, as a plain TopdownPoseEstimator: each batch holds the
# 8 COCO crops of the multi-dataset batch, without the 8 AIC crops.
_base_ = ['./td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py']

# the base's hooks without the multi-dataset check
custom_hooks = [
    hook for hook in _base_.custom_hooks
    if hook.type != 'MultiDatasetHeadsHook'
]

# the base's backbone with its COCO head only
model = dict(
    _delete_=True,
    type='TopdownPoseEstimator',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=_base_.model.backbone,
    head=_base_.coco_head,
    test_cfg=_base_.model.test_cfg)

# the 8 COCO crops of the base's batch; the base's COCO validation
train_dataloader = dict(
    batch_size=8,
    sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True),
    dataset=dict(_base_.coco_train, _delete_=True))
val_dataloader = dict(dataset=dict(_base_.coco_val, _delete_=True))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True, type='CocoMetric', ann_file=_base_.coco_val_ann)
test_evaluator = val_evaluator
