# Stage 2 at test size, tokens and heatmaps together (Eq. 6, L^tod): a
# narrower student (width 32) with the frozen tokens of the 64-wide tiny
# teacher (mapped by the affine map fitted on the first batch) and the
# teacher's heatmaps. Give the files with
#   --cfg-options model.backbone.knowledge_tokens.token_file=TOKENS \
#                 model.teacher_checkpoint=TEACHER
_base_ = ['./td-hm_vitpose-tiny_coco-tiny-128x96.py']

embed_dims = 32

model = dict(
    type='HeatmapDistillPoseEstimator',
    teacher_config='configs/vitpose/td-hm_vitpose-tiny_coco-tiny-128x96.py',
    teacher_checkpoint='work_dirs/td-hm_vitpose-tiny_coco-tiny-128x96/'
    'iter_2.pth',
    distill_loss=dict(type='KeypointMSELoss', use_target_weight=False),
    backbone=dict(
        arch=dict(embed_dims=embed_dims, feedforward_channels=embed_dims * 4),
        knowledge_tokens=dict(
            type='KnowledgeTokens',
            num_tokens=2,
            token_file='work_dirs/td-hm_vitpose-tiny-token-teacher_coco-tiny-'
            '128x96/knowledge_tokens.pth')),
    head=dict(in_channels=embed_dims))

# the default hooks plus the fit of the teacher-to-student token map on the
# first batch (mmpose_ext.models.layers.knowledge_tokens)
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
    dict(type='KnowledgeTokenFitHook'),
]
