# Output distillation (ViTPose Eq. 4) on the synthetic set: the p8w96
# student (no token) with the p8w192 teacher's heatmaps as a second target
# (both predict 32x24 UDP heatmaps). Give the teacher with
#   --cfg-options model.teacher_checkpoint=work_dirs/.../iter_1500.pth
_base_ = ['./td-hm_vitpose-p8w96_synthetic-128x96.py']

model = dict(
    type='HeatmapDistillPoseEstimator',
    teacher_config='configs/vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py',
    teacher_checkpoint='work_dirs/td-hm_vitpose-p8w192_synthetic-128x96/'
    'iter_1500.pth',
    distill_loss=dict(type='KeypointMSELoss', use_target_weight=False))
