# HRNet-W32 with DARK heatmaps on COCO at 256x192, the DARK paper's main
# backbone. The DARK notes (seeds/002, Sec. 2) give HRNet-W32 at 256x192 as
# 74.4 AP at 7.1 GFLOPs without DARK; their result tables, with the DARK
# numbers, are not in the notes. MMPose reports 75.7 AP for its
# td-hm_hrnet-w32_dark recipe, which this config follows: HRNet-W32 from
# ImageNet weights, its highest-resolution branch (32 channels, stride 4)
# straight into a 1x1 convolution (no deconvolution), DARKHeatmap 64x48 with
# sigma 2; schedule, data and flip test of the ResNet-50 DARK config it
# inherits from.
_base_ = [
    './td-hm_res50_dark-8xb64-210e_coco-256x192.py',
    '../_base_/models/hrnet.py'
]

model = dict(
    backbone=dict(_delete_=True, **_base_.hrnet_w32),
    # the stride-4 branch already has the heatmaps' size
    head=dict(in_channels=32, deconv_out_channels=None))
