# ViTPose-L with the simple decoder (paper Eq. 3): ReLU, bilinear x4,
# 3x3 prediction; MMPose's FeatureMapProcessor neck + HeatmapHead without
# deconvolutions compute exactly that.
_base_ = ['./td-hm_vitpose-large_8xb64-210e_coco-256x192.py']

model = dict(
    neck=dict(type='FeatureMapProcessor', scale_factor=4.0, apply_relu=True),
    head=dict(
        deconv_out_channels=[],
        deconv_kernel_sizes=[],
        final_layer=dict(kernel_size=3, padding=1)))
