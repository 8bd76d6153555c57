# Arm `simple` of vitpose_decoder: the `classic` arm (vitpose_mae's
# mae-finetune: the quickstart ViTPose fine-tuned from the MAE pre-training
# of the same seed, which the runner sets in
# model.backbone.init_cfg.checkpoint) with ViTPose's simple decoder instead
# of the classic one: ReLU on the backbone map, bilinear upsampling, a 3x3
# convolution to the heatmaps (paper Eq. 3). The paper upsamples x4 (16x12
# tokens to 64x48 heatmaps at 256x192); here the 16x12 tokens reach the
# 32x24 heatmaps with x2, as the classic arm's single x2 deconvolution does.
_base_ = ['../../vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py',
          '../../_base_/models/vitpose_simple_decoder.py']

model = _base_.simple_decoder
model.update(neck=dict(type='FeatureMapProcessor', scale_factor=2.0,
                       apply_relu=True))

# the schedule of every pose arm of the ViTPose experiments (the quickstart
# ViTPose's: 1,500 iterations, a 40-iteration warm-up, cosine to the end),
# stated here so that a later change of the base cannot move the measured
# arm; evaluated once, at the end, and checkpointed every third of the
# run so that an interrupted run resumes
max_iters = 1500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=40, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters // 3))
