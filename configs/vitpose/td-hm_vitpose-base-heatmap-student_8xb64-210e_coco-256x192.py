# Output (heatmap) distillation (ViTPose Eq. 4 with the pose loss): ViTPose-B
# trained with the ground truth and the heatmaps of a frozen ViTPose-L teacher
# on the same augmented inputs, MSE over all keypoints, equal weights.
_base_ = ['./td-hm_vitpose-base_8xb64-210e_coco-256x192.py']

model = dict(
    type='HeatmapDistillPoseEstimator',
    teacher_config='configs/vitpose_l.py',
    teacher_checkpoint='pretrained/vitpose_large_coco_256x192.pth',
    distill_loss=dict(type='KeypointMSELoss', use_target_weight=False))
