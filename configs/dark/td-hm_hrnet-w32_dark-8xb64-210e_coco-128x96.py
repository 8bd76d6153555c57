# HRNet-W32 with DARK heatmaps on COCO at 128x96 (heatmaps 32x24, sigma 1,
# modulation kernel 5): the input of the DARK paper's ablations, where DARK
# gains most. The DARK notes (seeds/002, Sec. 2) give HRNet-W32 at 128x96 as
# 66.9 AP at 1.8 GFLOPs without DARK (74.4 AP at 256x192); by Sec. 5.1 the
# standard shift alone is worth 5.7 AP there, DARK's decoding 1.5 AP more and
# its modulation 0.3 AP. The tables with the DARK totals are not in the notes.
# The ResNet-50 DARK config at 128x96 (codec, pipelines, schedule) with the
# backbone swap of td-hm_hrnet-w32_dark-8xb64-210e_coco-256x192.py: inheriting
# that one instead would mean restating the 128x96 codec's pipelines.
_base_ = [
    './td-hm_res50_dark-8xb64-210e_coco-128x96.py',
    '../_base_/models/hrnet.py'
]

model = dict(
    backbone=dict(_delete_=True, **_base_.hrnet_w32),
    # the stride-4 branch already has the heatmaps' size
    head=dict(in_channels=32, deconv_out_channels=None))
