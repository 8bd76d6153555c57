# The embedded synthetic person keypoint set (COCO format, 17 keypoints),
# made by `python -m mmpose_ext.synthetic --out data/synthetic`
# (`make quickstart` does it). Validation uses the generated, imperfect
# person detections (bbox_file), like COCO val.
dataset_type = 'CocoDataset'
data_mode = 'topdown'
data_root = '{{$MMPOSE_EXT_SYNTHETIC:data/synthetic}}/'

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='images/train/')))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_val.json',
        bbox_file=data_root + 'person_detection_results/'
        'person_detections_val.json',
        data_prefix=dict(img='images/val/'),
        test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric', ann_file=data_root + 'annotations/person_keypoints_val.json')
test_evaluator = val_evaluator
