# The synthetic tiny ViTPose with the simple decoder (ViTPose Eq. 3): 4x
# bilinear upsampling of the backbone map, ReLU, a 3x3 convolution; all else
# as td-hm_vitpose-tiny_synthetic-128x96.py.
_base_ = ['./td-hm_vitpose-tiny_synthetic-128x96.py']

model = dict(
    neck=dict(type='FeatureMapProcessor', scale_factor=4.0, apply_relu=True),
    head=dict(
        deconv_out_channels=[],
        deconv_kernel_sizes=[],
        final_layer=dict(kernel_size=3, padding=1)))
