# HRNet-W32 with DARK heatmaps on COCO at 128x96 (heatmaps 32x24, sigma 1,
# modulation kernel 5): the input of the DARK paper's ablations, where DARK
# gains most. The DARK notes (seeds/002, Sec. 2) give HRNet-W32 at 128x96 as
# 66.9 AP at 1.8 GFLOPs without DARK (74.4 AP at 256x192); by Sec. 5.1 the
# standard shift alone is worth 5.7 AP there, DARK's decoding 1.5 AP more and
# its modulation 0.3 AP. The tables with the DARK totals are not in the notes.
_base_ = ['./td-hm_hrnet-w32_dark-8xb64-210e_coco-256x192.py']

codec = dict(
    type='DARKHeatmap', input_size=(96, 128), heatmap_size=(24, 32),
    sigma=1, blur_kernel_size=5)

model = dict(head=dict(decoder=codec))

# The base's pipelines again, with this config's codec: MMEngine resolves
# the base's `codec` inside them when it reads the base.
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
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
