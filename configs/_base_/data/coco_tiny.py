# Four COCO val2017 images (14 people, 12 with keypoints) for tests and
# overfitting runs. The same file is the train and the val split; validation
# uses ground-truth boxes (set val_dataloader.dataset.bbox_file to
# data_root + 'person_detection_results_tiny.json' for detected ones).
# Location: $MMPOSE_EXT_COCO_TINY, else ../shared/data/coco_tiny relative to
# the directory the tools run from (the repository root).
dataset_type = 'CocoDataset'
data_mode = 'topdown'
data_root = '{{$MMPOSE_EXT_COCO_TINY:../shared/data/coco_tiny}}/'

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='person_keypoints_tiny.json',
        data_prefix=dict(img='')))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='person_keypoints_tiny.json',
        data_prefix=dict(img=''),
        test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric', ann_file=data_root + 'person_keypoints_tiny.json')
test_evaluator = val_evaluator
