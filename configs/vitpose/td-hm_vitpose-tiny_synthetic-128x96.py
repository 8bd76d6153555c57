# A tiny ViTPose (width 64, 4 layers, classic decoder) on the embedded
# synthetic set at 128x96, from scratch: the base of the synthetic ViTPose
# configs, the quickstart's (td-hm_vitpose-p8w192_synthetic-128x96.py, on
# which the ViTPose claim experiments now run) and the tiny multi-dataset
# ones (the ResNet-18 multi-dataset config's base). The ViTPose-B recipe
# (AdamW, weight decay 0.1, layer decay 0.75, clipping, UDP heatmaps, flip
# test), sized for a CPU: batch 16, 300 iterations, lr 1e-3 with a 40-
# iteration warm-up and cosine decay. Validation on the ground-truth boxes
# with MMPose's CocoMetric and PCKAccuracy at 0.2 of the box size: after so
# short a schedule COCO AP is ~0 and PCK is what still tells models apart.
_base_ = ['./td-hm_vitpose-base_8xb64-210e_coco-256x192.py']

embed_dims = 64
num_layers = 4
max_iters = 300

train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(lr=1e-3), paramwise_cfg=dict(num_layers=num_layers))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
auto_scale_lr = dict(enable=False)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters, save_best=None,
                    max_keep_ckpts=1))
log_processor = dict(by_epoch=False, window_size=50)

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
        drop_path_rate=0.,
        init_cfg=None),
    head=dict(
        in_channels=embed_dims,
        deconv_out_channels=(64, 64),
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
# the embedded synthetic set (configs/_base_/data/synthetic.py's layout),
# made by `python -m mmpose_ext.synthetic --out data/synthetic`
data_root = '{{$MMPOSE_EXT_SYNTHETIC:data/synthetic}}/'
train_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='images/train/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/person_keypoints_val.json',
        bbox_file=None,
        data_prefix=dict(img='images/val/'),
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='CocoMetric',
         ann_file=data_root + 'annotations/person_keypoints_val.json'),
    dict(type='PCKAccuracy', thr=0.2, norm_item='bbox'),
]
test_evaluator = val_evaluator
