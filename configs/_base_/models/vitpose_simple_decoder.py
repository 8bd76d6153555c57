# ViTPose's simple decoder (paper Eq. 3): ReLU on the backbone map, bilinear
# upsampling x4, a 3x3 convolution to the keypoint heatmaps. MMPose's
# FeatureMapProcessor neck and a HeatmapHead without deconvolutions compute
# exactly that. A config with the classic decoder becomes its simple-decoder
# variant by listing this file second in _base_ and setting
#   model = _base_.simple_decoder
# (a variable, not `model`: MMEngine refuses two bases with the same key).
simple_decoder = dict(
    neck=dict(type='FeatureMapProcessor', scale_factor=4.0, apply_relu=True),
    head=dict(
        deconv_out_channels=[],
        deconv_kernel_sizes=[],
        final_layer=dict(kernel_size=3, padding=1)))
