# Output distillation (ViTPose Eq. 4) on the synthetic set: the narrow
# student (no token) with the width-64 teacher's heatmaps as a second target.
# Give the teacher with --cfg-options model.teacher_checkpoint=...
_base_ = ['./td-hm_vitpose-narrow_synthetic-128x96.py']

model = dict(
    type='HeatmapDistillPoseEstimator',
    teacher_config='configs/vitpose/td-hm_vitpose-tiny_synthetic-128x96.py',
    teacher_checkpoint='work_dirs/td-hm_vitpose-tiny-mae_synthetic-128x96/'
    'iter_300.pth',
    distill_loss=dict(type='KeypointMSELoss', use_target_weight=False))
