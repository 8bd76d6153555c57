# The tiny multi-dataset ViTPose of
# td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py with a third dataset
# in MPII's format and keypoints (16): the notes' COCO + AIC + MPII setting at
# test size. Every batch holds 8 COCO-format, 8 AIC-format and 8 MPII-format
# crops; one validation scores each set with its own metric: coco/AP and
# aic/AP (CocoMetric), mpii/PCK (MpiiPCKAccuracy: PCKh@0.5, with the head
# boxes of mpii_gt_val.mat). The MPII val split uses its annotated boxes, as
# MMPose's MPII configs do (MpiiDataset reads no detection file).
# The tests run it for 2 iterations (--cfg-options train_cfg.max_iters=2 ...).
#
# Data (docs/synthetic.md):
#   python -m mmpose_ext.synthetic --out data/synthetic
#   python -m mmpose_ext.synthetic --out data/synthetic_aic \
#       --seed 1 --extra-formats aic
#   python -m mmpose_ext.synthetic --out data/synthetic_mpii \
#       --seed 2 --extra-formats mpii
# $MMPOSE_EXT_SYNTHETIC, $MMPOSE_EXT_SYNTHETIC_AIC and
# $MMPOSE_EXT_SYNTHETIC_MPII move the three roots.
_base_ = ['./td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py']

batch_size = 24

# the base's decoder with MPII's 16 keypoints
mpii_head = dict(_base_.coco_head, out_channels=16)
model = dict(heads=dict(mpii=mpii_head))

mpii_root = '{{$MMPOSE_EXT_SYNTHETIC_MPII:data/synthetic_mpii}}/'
mpii_train = dict(
    type='MpiiDataset', data_root=mpii_root, data_mode='topdown',
    ann_file='annotations/mpii_train.json',
    data_prefix=dict(img='images/train/'),
    pipeline=_base_.train_pipeline)
mpii_val = dict(
    type='MpiiDataset', data_root=mpii_root, data_mode='topdown',
    ann_file='annotations/mpii_val.json',
    headbox_file=mpii_root + 'annotations/mpii_gt_val.mat',
    data_prefix=dict(img='images/val/'), test_mode=True,
    pipeline=_base_.val_pipeline)

train_dataloader = dict(
    batch_size=batch_size,
    # every batch: 8 COCO-format, 8 AIC-format and 8 MPII-format crops
    sampler=dict(batch_size=batch_size, source_ratio=[1, 1, 1]),
    dataset=dict(datasets=[_base_.coco_train, _base_.aic_train, mpii_train]))
val_dataloader = dict(
    dataset=dict(datasets=[_base_.coco_val, _base_.aic_val, mpii_val]))
test_dataloader = val_dataloader

# one metric per dataset, in the order of `datasets`: the base's coco/ and
# aic/, then mpii/
val_evaluator = dict(
    metrics=_base_.val_evaluator.metrics + [
        dict(type='MpiiPCKAccuracy', prefix='mpii', norm_item='head')
    ],
    datasets=[_base_.coco_val, _base_.aic_val, mpii_val])
test_evaluator = val_evaluator
