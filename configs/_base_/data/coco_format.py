# What the COCO-format person keypoint sets (coco.py, synthetic.py,
# coco_tiny.py) have in common: MMPose's CocoDataset in top-down mode (one
# sample per person box), a shuffled training sampler, a validation loader
# that keeps every sample in order, and MMPose's CocoMetric. Each set's file
# inherits this and adds its location, files, batch sizes and workers.
dataset_type = 'CocoDataset'
data_mode = 'topdown'

train_dataloader = dict(
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_mode=data_mode))
val_dataloader = dict(
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(type=dataset_type, data_mode=data_mode, test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='CocoMetric')
test_evaluator = val_evaluator
