# Four COCO val2017 images (14 people, 12 with keypoints) for tests and
# overfitting runs. The same file is the train and the val split; validation
# uses ground-truth boxes (set val_dataloader.dataset.bbox_file to
# data_root + 'person_detection_results_tiny.json' for detected ones).
# Location: $MMPOSE_EXT_COCO_TINY, else ../shared/data/coco_tiny relative to
# the directory the tools run from (the repository root).
_base_ = ['./coco_format.py']

data_root = '{{$MMPOSE_EXT_COCO_TINY:../shared/data/coco_tiny}}/'

# one file is both splits
tiny_split = dict(
    data_root=data_root, data_prefix=dict(img=''),
    ann_file='person_keypoints_tiny.json')
train_dataloader = dict(batch_size=4, num_workers=0, dataset=tiny_split)
val_dataloader = dict(batch_size=4, num_workers=0, dataset=tiny_split)
test_dataloader = val_dataloader

val_evaluator = dict(ann_file=data_root + 'person_keypoints_tiny.json')
test_evaluator = val_evaluator
