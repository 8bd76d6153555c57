# The common part of the codec low-resolution comparison at 64x48: the
# 128x96 comparison's common file (schedule, optimiser, evaluation, loaders)
# with the input size and what follows from it.
#
# Sizes: 48 / 32 is not an integer, so the backbone's last stage keeps its
# resolution (stride 16) for every codec: 4x3 features at 64x48, two
# deconvolutions of 128 channels up to 16x12. Target widths keep one ratio
# to the input at both sizes: heatmap sigma 1 at 16x12 (4 input pixels), the
# DARK/UDP modulation kernel 5; SimDR sigma 1.5 input pixels (1.5 * k bins).
_base_ = ['../codecs_lowres_128x96/td-hm_res18_lowres_synthetic-128x96.py']

input_size = (48, 64)  # (w, h)
heatmap_size = (12, 16)
heatmap_sigma = 1.
blur_kernel_size = 5
simdr_sigma_px = 1.5
feature_size = (3, 4)

codec = dict(
    type='MSRAHeatmap',
    input_size=input_size,
    heatmap_size=heatmap_size,
    sigma=heatmap_sigma)

model = dict(
    backbone=dict(strides=(1, 2, 2, 1)),
    head=dict(
        deconv_out_channels=(128, 128),
        deconv_kernel_sizes=(4, 4),
        decoder=codec))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform', rotate_factor=30,
         scale_factor=(0.75, 1.25)),
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
