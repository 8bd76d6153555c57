# A tiny ViTPose (width 64, 2 layers) on the four coco_tiny images at 128x96,
# 2 iterations: the real ViTPose-B recipe (layer decay, clipping, UDP, flip
# test) at test size, for the tests of mim train / mim test and as the
# teacher of the tiny distillation configs. No pretrained weights.
_base_ = [
    './td-hm_vitpose-base_8xb64-210e_coco-256x192.py',
    '../_base_/data/coco_tiny_overrides.py'
]

embed_dims = 64
num_layers = 2

train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=2, val_interval=2)
optim_wrapper = dict(paramwise_cfg=dict(num_layers=num_layers))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=2, start_factor=0.1, by_epoch=False)
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval=1, save_best=None,
                    max_keep_ckpts=2))
log_processor = dict(by_epoch=False, window_size=1)

codec = dict(
    type='UDPCodec', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)

model = dict(
    backbone=dict(
        arch=dict(
            embed_dims=embed_dims,
            num_layers=num_layers,
            num_heads=4,
            feedforward_channels=embed_dims * 4),
        img_size=codec['input_size'][::-1],
        init_cfg=None),
    head=dict(
        in_channels=embed_dims,
        deconv_out_channels=(32, 32),
        decoder=codec))

# The base's pipelines again, with this config's codec: MMEngine resolves
# the base's `codec` inside them when it reads the base.
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='PackPoseInputs')
]

# the data: ../shared/data/coco_tiny (or $MMPOSE_EXT_COCO_TINY), ground-truth
# boxes for validation
train_dataloader = dict(_base_.coco_tiny_train_dataloader, dataset=dict(
    _base_.coco_tiny_train_dataloader.dataset, pipeline=train_pipeline))
val_dataloader = dict(_base_.coco_tiny_val_dataloader, dataset=dict(
    _base_.coco_tiny_val_dataloader.dataset, pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = _base_.coco_tiny_val_evaluator
test_evaluator = val_evaluator
