# MAE pre-training of ViTPose-B's backbone on COCO person crops (ViTPose
# Sec. 4.3, "pre-training data flexibility": MAE on the person instances of
# COCO instead of ImageNet), then fine-tune with
#   --cfg-options \
#   model.backbone.init_cfg.checkpoint=work_dirs/<this>/epoch_1600.pth
# on td-hm_vitpose-base_8xb64-210e_coco-256x192.py.
# Crops: MMPose's top-down pipeline with the pose configs' box jitter
# (RandomBBoxTransform: shift 0.16, scale 0.5-1.5, rotation up to 80 deg) and
# flips, at the pose input size, so that the position table and patch grid
# are those of the pose model. MAE recipe (He et al., Table 8): mask 75 %,
# decoder 512 wide, 8 layers, normalised-pixel loss, AdamW lr 1.5e-4 per
# 256 images, betas (0.9, 0.95), weight decay 0.05, 40 warm-up epochs, cosine
# to 1600 epochs.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/data/coco.py',
    '../_base_/models/imagenet_preprocessor.py'
]

embed_dims = 768
input_size = (192, 256)  # (w, h), as the pose codec

model = dict(
    type='MAEPretrainer',
    data_preprocessor=_base_.imagenet_data_preprocessor,
    backbone=dict(
        type='PlainViT',
        arch=dict(embed_dims=embed_dims, num_layers=12, num_heads=12,
                  feedforward_channels=embed_dims * 4),
        img_size=input_size[::-1],
        patch_size=16,
        patch_padding=2),
    decoder=dict(embed_dims=512, num_layers=8, num_heads=16),
    mask_ratio=0.75,
    norm_pix_loss=True)

train_cfg = dict(by_epoch=True, max_epochs=1600, val_interval=1600)
val_cfg = None
val_dataloader = None
val_evaluator = None
test_cfg = None
test_dataloader = None
test_evaluator = None

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1.5e-4 * 4096 / 256, betas=(0.9, 0.95),
                   weight_decay=0.05),
    # no weight decay on biases, norms, the position table, the mask token
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.,
                       custom_keys={'pos_embed': dict(decay_mult=0.),
                                    'mask_token': dict(decay_mult=0.)}))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=1e-4, by_epoch=True,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', begin=40, end=1600, T_max=1560,
         by_epoch=True, convert_to_iter_based=True)
]
auto_scale_lr = dict(base_batch_size=4096)
default_hooks = dict(checkpoint=dict(interval=50, max_keep_ckpts=2))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=input_size, use_udp=True),
    dict(type='PackPoseInputs')
]
vis_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=input_size, use_udp=True),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(batch_size=256, dataset=dict(pipeline=train_pipeline))

# pictures of masked input | reconstruction | original for 8 val crops
# (ground-truth boxes), every 5000 iterations and after training
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
    dict(
        type='MAEReconstructionHook',
        num_crops=8,
        interval=5000,
        dataset=dict(
            type='CocoDataset',
            data_root='data/coco/',
            data_mode='topdown',
            ann_file='annotations/person_keypoints_val2017.json',
            data_prefix=dict(img='val2017/'),
            test_mode=True,
            pipeline=vis_pipeline)),
]
