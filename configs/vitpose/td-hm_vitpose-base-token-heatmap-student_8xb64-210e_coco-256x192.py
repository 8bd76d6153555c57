# Token and output distillation together (ViTPose Eq. 6, L^tod; the paper's
# best ViTPose-L -> ViTPose-B setting): the frozen knowledge token of stage 1
# in the student and the teacher's heatmaps as a second target.
_base_ = ['./td-hm_vitpose-base-heatmap-student_8xb64-210e_coco-256x192.py']

model = dict(
    backbone=dict(
        knowledge_tokens=dict(
            type='KnowledgeTokens',
            token_file='work_dirs/vitpose_l_token-teacher/'
            'knowledge_tokens.pth')))

# the default hooks plus the fit of the teacher-to-student token map on the
# first batch (mmpose_ext.models.layers.knowledge_tokens)
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
    dict(type='KnowledgeTokenFitHook'),
]
