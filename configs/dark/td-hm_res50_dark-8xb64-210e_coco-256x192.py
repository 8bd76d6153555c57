# SimpleBaseline ResNet-50 with DARK heatmaps (unbiased encoding, modulation,
# log, Taylor step) on COCO at 256x192: MMPose's td-hm_res50_dark recipe with
# mmpose_ext's DARKHeatmap (batched decoding). MMPose reports 72.4 AP for
# this recipe with its MSRAHeatmap(unbiased=True).
_base_ = ['../_base_/simplebaseline_res50_8xb64-210e_coco-256x192.py']

codec = dict(
    type='DARKHeatmap', input_size=(192, 256), heatmap_size=(48, 64),
    sigma=2, blur_kernel_size=11)

model = dict(
    head=dict(decoder=codec),
    test_cfg=dict(shift_heatmap=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
