# coco_tiny (the four COCO val2017 images of _base_/data/coco_tiny.py) swapped
# into a config built on _base_/data/coco.py, as variables: a test or
# overfitting variant lists this file as a further base and writes
#   train_dataloader = _base_.coco_tiny_train_dataloader
#   val_dataloader = _base_.coco_tiny_val_dataloader
#   test_dataloader = val_dataloader
#   val_evaluator = _base_.coco_tiny_val_evaluator
#   test_evaluator = val_evaluator
# (variables, not the loaders themselves: MMEngine refuses two bases with the
# same key). They merge into the COCO loaders: same split for train and val,
# ground-truth boxes for validation (bbox_file=None), no worker processes.
# A config that must also set the pipelines (after a codec change) extends
# them:
#   train_dataloader = dict(_base_.coco_tiny_train_dataloader, dataset=dict(
#       _base_.coco_tiny_train_dataloader.dataset, pipeline=train_pipeline))
# Location: $MMPOSE_EXT_COCO_TINY, else ../shared/data/coco_tiny relative to
# the directory the tools run from (the repository root).
coco_tiny = '{{$MMPOSE_EXT_COCO_TINY:../shared/data/coco_tiny}}/'
coco_tiny_train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=coco_tiny, ann_file='person_keypoints_tiny.json',
                 data_prefix=dict(img='')))
coco_tiny_val_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=coco_tiny, ann_file='person_keypoints_tiny.json',
                 data_prefix=dict(img=''), bbox_file=None))
coco_tiny_val_evaluator = dict(
    ann_file=coco_tiny + 'person_keypoints_tiny.json')
