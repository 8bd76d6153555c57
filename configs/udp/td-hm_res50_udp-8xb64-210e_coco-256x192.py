# SimpleBaseline ResNet-50 with UDP (unit-length affine transform, UDP
# Gaussian targets, DARK-style decoding) on COCO at 256x192, with
# mmpose_ext's UDPCodec (a drop-in for MMPose's UDPHeatmap, batched decoding).
# Flip test needs no heatmap shift under UDP.
_base_ = ['../_base_/simplebaseline_res50_8xb64-210e_coco-256x192.py']

codec = dict(
    type='UDPCodec', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)

model = dict(
    head=dict(decoder=codec),
    test_cfg=dict(shift_heatmap=False))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
