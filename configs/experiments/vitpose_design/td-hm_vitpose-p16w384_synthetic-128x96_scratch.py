# Arm `patch16-w384` of vitpose_design: the quickstart ViTPose
# (td-hm_vitpose-p8w192_synthetic-128x96.py) from scratch (backbone randomly
# initialised), as vitpose_mae's `scratch` arm (the baseline), with one
# change: patch 16 instead of 8, so 8x6 tokens at 128x96 (a quarter as
# many), width 384, 6 layers, 6 heads (64 channels a head, as the p8w192's),
# about the same FLOPs per layer as the p8w192 with four times the backbone
# weights (12.0 M parameters in all against 3.1 M);
# the decoder two x2 deconvolutions (128 channels each) to reach the same
# 32x24 heatmaps.
_base_ = ['../../vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py']

embed_dims = 384
model = dict(
    backbone=dict(
        arch=dict(embed_dims=embed_dims, num_heads=6,
                  feedforward_channels=embed_dims * 4),
        patch_size=16,
        init_cfg=None),
    head=dict(
        in_channels=embed_dims,
        deconv_out_channels=(128, 128),
        deconv_kernel_sizes=(4, 4)))

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
