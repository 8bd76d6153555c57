# Token and output distillation together (ViTPose Eq. 6, L^tod; the paper's
# best ViTPose-L -> ViTPose-B setting): the token student (the frozen
# knowledge token of stage 1) with the teacher's heatmaps as a second target,
# as in td-hm_vitpose-base-heatmap-student_8xb64-210e_coco-256x192.py.
_base_ = ['./td-hm_vitpose-base-token-student_8xb64-210e_coco-256x192.py']

model = dict(
    type='HeatmapDistillPoseEstimator',
    teacher_config='configs/vitpose_l.py',
    teacher_checkpoint='pretrained/vitpose_large_coco_256x192.pth',
    distill_loss=dict(type='KeypointMSELoss', use_target_weight=False))
