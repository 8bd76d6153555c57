# SimDR on SimpleBaseline ResNet-50 (deconvolution layers, 1x1 conv to 17
# channels, flatten, linear to 384 x bins and 512 y bins) on COCO at 256x192:
# Gaussian labels (sigma 6 bins), split ratio k=2, KL-divergence loss. The
# schedule is MMPose's simcc_res50 recipe (MMPose reports 72.1 AP).
_base_ = ['../_base_/simplebaseline_res50_8xb64-210e_coco-256x192.py']

# Adam 1e-3; the base's warm-up, then steps with no end epoch
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    _base_.param_scheduler[0],
    dict(type='MultiStepLR', milestones=[170, 200], gamma=0.1, by_epoch=True),
]

codec = dict(
    type='SimDRLabel', input_size=(192, 256), simcc_split_ratio=2.0,
    label_type='gaussian', sigma=6.0)

# SimDR replaces the heatmap head; flip test in coordinates
model = dict(
    head=dict(
        _delete_=True,
        type='SimDRHead',
        in_channels=2048,
        out_channels=17,
        input_size=codec['input_size'],
        # stride 32 backbone, then three stride-2 deconvolutions
        in_featuremap_size=tuple(s // 32 for s in codec['input_size']),
        simcc_split_ratio=codec['simcc_split_ratio'],
        deconv_out_channels=(256, 256, 256),
        loss=dict(type='KLDiscretLoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(_delete_=True, flip_test=True))

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
