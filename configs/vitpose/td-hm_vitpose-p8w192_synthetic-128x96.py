# The ViTPose of `python -m mmpose_ext.tools.quickstart --model vitpose`
# (issue 17, item 3): a plain ViT with patch 8, so 16x12 tokens at 128x96,
# width 192, 6 layers, 3 heads, the classic decoder reduced to one x2
# deconvolution (128 channels) to the 32x24 UDP heatmaps; 3.1 M parameters.
# It is the model of the probe, fine-tuned from the MAE pre-training
# of its backbone (mae_vitpose-p8w192_synthetic-128x96.py), which the
# quickstart runs first and caches, then gives with
#   --cfg-options model.backbone.init_cfg.checkpoint=<cached .pth>
# The default below is where `python -m mmpose_ext.tools.train` puts that
# run's last checkpoint.
#
# Recipe: the synthetic ViTPose configs' fine-tuning
# (td-hm_vitpose-tiny_synthetic-128x96.py: AdamW lr 1e-3, weight decay 0.1,
# layer-wise decay 0.75 over the 6 layers, clipping, no drop path, UDP, flip
# test, batch 16) for a fixed 1,500 iterations, as the probe. Evaluated like
# the quickstart TFPose: CocoMetric on the val split with the generated
# person detections.
#
# Its accuracy and time are not measured here: those numbers come from the
# issue's runs, to be recorded by the experiment runner.
_base_ = ['./td-hm_vitpose-tiny_synthetic-128x96.py']

embed_dims = 192
num_layers = 6
max_iters = 1500

train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(paramwise_cfg=dict(num_layers=num_layers))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
# a checkpoint every third of the run, so that an interrupted run resumes
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(interval=max_iters // 3, max_keep_ckpts=1))
# the quickstart's progress bar with the remaining time
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
    dict(type='TrainProgressHook'),
]

model = dict(
    backbone=dict(
        arch=dict(
            embed_dims=embed_dims,
            num_layers=num_layers,
            num_heads=3,
            feedforward_channels=embed_dims * 4),
        patch_size=8,
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint='work_dirs/mae_vitpose-p8w192_synthetic-128x96/'
            'iter_1800.pth')),
    head=dict(
        in_channels=embed_dims,
        deconv_out_channels=(128, ),
        deconv_kernel_sizes=(4, )))

data_root = _base_.data_root
val_dataloader = dict(
    dataset=dict(
        bbox_file=data_root +
        'person_detection_results/person_detections_val.json'))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True,
    type='CocoMetric',
    ann_file=data_root + 'annotations/person_keypoints_val.json')
test_evaluator = val_evaluator
