# TFPose, ResNet-50, COCO 384x288, N_E = 6: the paper's 20.4 GFLOPs / 72.4 AP
# model (Table 5; our counter puts N_E = 6 at this size, N_E = 4 would be
# about 17 GFLOPs, see docs/tfpose.md).
_base_ = ['./tfpose_res50-enc6_8xb32-210e_coco-256x192.py']

codec = dict(
    type='TFPoseLabel',
    input_size=(288, 384),
    heatmap=dict(type='UDPCodec', heatmap_size=(72, 96), sigma=3.))

model = dict(head=dict(decoder=codec))

# The base's pipelines again, with this config's codec: MMEngine resolves
# the base's `codec` inside them when it reads the base.
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform', scale_factor=(0.7, 1.3),
         rotate_factor=40.),
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
