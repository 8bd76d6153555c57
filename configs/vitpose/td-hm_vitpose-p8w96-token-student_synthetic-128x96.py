# Stage 2 on the synthetic set: the p8w96 student (width 96) with the frozen
# knowledge token of the p8w192 teacher
# (td-hm_vitpose-p8w192-token-teacher_synthetic-128x96.py), mapped from
# width 192 to 96 by the affine map between their input-token spaces fitted
# on the first batch (both patch 8, so the same 16x12 grid). Give the token
# file with
#   --cfg-options model.backbone.knowledge_tokens.token_file=TOKENS
_base_ = ['./td-hm_vitpose-p8w96_synthetic-128x96.py']

model = dict(
    backbone=dict(
        knowledge_tokens=dict(
            type='KnowledgeTokens',
            token_file='work_dirs/td-hm_vitpose-p8w192-token-teacher_'
            'synthetic-128x96/knowledge_tokens.pth')))
custom_hooks = _base_.custom_hooks + [dict(type='KnowledgeTokenFitHook')]
