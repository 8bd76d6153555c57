# Arm `sb` of the tfpose_baseline experiment (docs/tfpose.md, "TFPose against
# the heatmap baseline, the quickstart model"): MMPose's SimpleBaseline-R18
# heatmap model of the synthetic set on the quickstart TFPose's schedule
# (1,500 iterations of batch 8, 50 linear warm-up iterations, cosine to zero
# at 1,500, one evaluation at the end), so that the two are compared at equal
# iterations; its own config trains 5 epochs by epoch.
_base_ = ['../../simplebaseline/td-hm_res18_synthetic-128x96.py']

max_iters = 1500
train_cfg = dict(
    _delete_=True, by_epoch=False, max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False),
]
# by iteration, as the TFPose arm's (the runner resumes from the last one)
default_hooks = dict(
    checkpoint=dict(
        _delete_=True, type='CheckpointHook', interval=500, by_epoch=False,
        max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
