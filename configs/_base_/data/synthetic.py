# The embedded synthetic person keypoint set (COCO format, 17 keypoints),
# made by `python -m mmpose_ext.synthetic --out data/synthetic`
# (`make quickstart` does it). Validation uses the generated, imperfect
# person detections (bbox_file), like COCO val.
_base_ = ['./coco_format.py']

data_root = '{{$MMPOSE_EXT_SYNTHETIC:data/synthetic}}/'

train_dataloader = dict(
    batch_size=32, num_workers=2, persistent_workers=True,
    dataset=dict(data_root=data_root, data_prefix=dict(img='images/train/'),
                 ann_file='annotations/person_keypoints_train.json'))
val_dataloader = dict(
    batch_size=32, num_workers=2, persistent_workers=True,
    dataset=dict(
        data_root=data_root, data_prefix=dict(img='images/val/'),
        ann_file='annotations/person_keypoints_val.json',
        bbox_file=data_root + 'person_detection_results/'
        'person_detections_val.json'))
test_dataloader = val_dataloader

val_evaluator = dict(
    ann_file=data_root + 'annotations/person_keypoints_val.json')
test_evaluator = val_evaluator
