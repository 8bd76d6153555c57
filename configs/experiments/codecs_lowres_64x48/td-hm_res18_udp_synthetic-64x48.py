# Arm `udp` of codecs_lowres_64x48: UDPCodec (UDP's Gaussian targets on
# the unbiased affine transform, hence TopdownAffine(use_udp=True) in both
# pipelines) with the heatmap head and the schedule of the experiment's
# common file. A new codec means restating the pipelines: MMEngine evaluated
# the parent's with the parent's codec.
_base_ = ['./td-hm_res18_lowres_synthetic-64x48.py']

codec = dict(
    type='UDPCodec',
    input_size=_base_.input_size,
    heatmap_size=_base_.heatmap_size,
    sigma=_base_.heatmap_sigma,
    blur_kernel_size=_base_.blur_kernel_size)

model = dict(head=dict(decoder=codec))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform', rotate_factor=30,
         scale_factor=(0.75, 1.25)),
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
