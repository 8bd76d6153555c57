# (Under _base_/data/, not _base_/datasets/: MMPose reads dataset metainfo from
# configs/_base_/datasets/<name>.py relative to the working directory, so a
# file of ours there would replace its COCO keypoint definitions.)
# COCO 2017 person keypoints in MMPose's standard layout under data/coco/.
# Model configs add the pipelines:
#   train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
#   val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
#   test_dataloader = val_dataloader
# Validation and test use the person detector's boxes (bbox_file), as the
# papers do; MMPose's CocoMetric applies the score threshold and OKS-NMS.
_base_ = ['./coco_format.py']

data_root = 'data/coco/'

train_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True,
    dataset=dict(data_root=data_root, data_prefix=dict(img='train2017/'),
                 ann_file='annotations/person_keypoints_train2017.json'))
val_dataloader = dict(
    batch_size=32, num_workers=2, persistent_workers=True,
    dataset=dict(
        data_root=data_root, data_prefix=dict(img='val2017/'),
        ann_file='annotations/person_keypoints_val2017.json',
        bbox_file=data_root + 'person_detection_results/'
        'COCO_val2017_detections_AP_H_56_person.json',
        # the papers keep every detected box (threshold 0.0) ...
        filter_cfg=dict(bbox_score_thr=0.0)))
test_dataloader = val_dataloader

# ... rescore each person by box score x mean keypoint score above 0.2 and
# remove duplicates with OKS-NMS at 0.9 (MMPose's defaults, written out)
val_evaluator = dict(
    ann_file=data_root + 'annotations/person_keypoints_val2017.json',
    score_mode='bbox_keypoint',
    keypoint_score_thr=0.2,
    nms_mode='oks_nms',
    nms_thr=0.9)
test_evaluator = val_evaluator
