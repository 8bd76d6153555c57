# The DARK recipe at 128x96 (heatmaps 32x24, sigma 1, modulation kernel 5),
# the resolution of the DARK paper's ablations (its Tables 2-4).
_base_ = ['./td-hm_res50_dark-8xb64-210e_coco-256x192.py']

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
