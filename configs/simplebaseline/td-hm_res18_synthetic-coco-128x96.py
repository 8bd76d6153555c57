# The baseline of the ResNet-18 multi-dataset comparison in the README: the
# model of td-hm_res18-multi_synthetic-coco-aic-128x96.py (ResNet-18, the
# same COCO head, optimizer, schedule and iterations) trained on the
# COCO-format synthetic set alone, as a plain TopdownPoseEstimator: each
# batch holds the 8 COCO crops of the multi-dataset batch, without the 8 AIC
# crops.
_base_ = ['./td-hm_res18-multi_synthetic-coco-aic-128x96.py']

custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
]

model = dict(
    _delete_=True,
    type='TopdownPoseEstimator',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    head={{_base_.coco_head}},
    test_cfg={{_base_.model.test_cfg}})

train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset={{_base_.coco_train}})
val_dataloader = dict(
    _delete_=True,
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset={{_base_.coco_val}})
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True, type='CocoMetric', ann_file={{_base_.coco_val_ann}})
test_evaluator = val_evaluator
