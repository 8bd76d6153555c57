# Knowledge-token distillation, stage 2 (ViTPose Eq. 6, L^td): ViTPose-S with
# the frozen knowledge token of the ViTPose-L teacher appended after its patch
# embedding; everything else trains as usual. The 1024-wide token is mapped to
# this width by an affine map between the teacher's and the student's token
# spaces, fitted on the first batch and frozen (docs/vitpose.md).
# Token file: exported from stage 1 (vitpose_l_token-teacher.py).
_base_ = ['./td-hm_vitpose-small_8xb64-210e_coco-256x192.py']

model = dict(backbone=dict(knowledge_tokens=dict(
    type='KnowledgeTokens',
    token_file='work_dirs/vitpose_l_token-teacher/knowledge_tokens.pth')))

# the default hooks plus the fit of the teacher-to-student token map on the
# first batch (mmpose_ext.models.layers.knowledge_tokens)
custom_hooks = _base_.custom_hooks + [dict(type='KnowledgeTokenFitHook')]
