# The SimpleBaseline ResNet-50 recipe on COCO that the DARK, UDP and SimDR
# ResNet-50 configs share (MMPose's td-hm_res50 family): ImageNet-normalized
# input, torchvision ResNet-50 weights, a HeatmapHead with MMPose's three
# deconvolutions from C5 (2048 channels) to the 17 keypoints, flip test,
# Adam 5e-4 with 500 iterations of warm-up and x0.1 at epochs 170 and 200,
# 210 epochs, 8 x 64 images per batch (COCO base file), best checkpoint by
# COCO AP.
# Not runnable alone: a config adds the codec (head.decoder) and the pipelines
# (they hold `encoder=codec`, and MMEngine resolves a base's variables when it
# reads the base, so pipelines cannot be inherited across a codec change).
_base_ = [
    './default_runtime.py', './data/coco.py',
    './models/imagenet_preprocessor.py'
]

train_cfg = dict(max_epochs=210, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=210, milestones=[170, 200],
         gamma=0.1, by_epoch=True),
]
auto_scale_lr = dict(base_batch_size=512)
default_hooks = dict(checkpoint=dict(save_best='coco/AP', rule='greater'))

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=_base_.imagenet_data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=50,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(
        type='HeatmapHead',
        in_channels=2048,
        out_channels=17,
        loss=dict(type='KeypointMSELoss', use_target_weight=True)),
    test_cfg=dict(flip_test=True, flip_mode='heatmap'))
