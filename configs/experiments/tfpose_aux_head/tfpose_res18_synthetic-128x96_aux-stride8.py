# Arm `stride8` of the tfpose_aux_head experiment (docs/tfpose.md, "A cheaper
# auxiliary branch, trained"): the quickstart TFPose as it was until issue 19
# (the cpu_kernel experiment's kernel arm) with the auxiliary heatmaps
# predicted at the C3 tokens' own resolution (stride 8, 16x12 at 128x96)
# instead of one 4x4 deconvolution up to stride 4: a 1x1 convolution (128
# channels, BN, ReLU) and the 1x1 output layer, a quarter of the pixels and
# no upsampling. The targets are the same UDP Gaussians at half the
# resolution (16x12, sigma 1: the same width in input pixels as sigma 2 at
# 32x24).
_base_ = ['../cpu_kernel/tfpose_res18_synthetic-128x96_kernel.py']

codec = dict(
    type='TFPoseLabel',
    input_size=(96, 128),
    heatmap=dict(type='UDPCodec', heatmap_size=(12, 16), sigma=1.))

model = dict(
    head=dict(
        aux_head=dict(
            deconv_out_channels=None,
            deconv_kernel_sizes=None,
            conv_out_channels=(128, ),
            conv_kernel_sizes=(1, )),
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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
