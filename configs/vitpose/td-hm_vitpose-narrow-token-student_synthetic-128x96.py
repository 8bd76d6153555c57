# Stage 2 on the synthetic set: the narrow student (width 32) with the frozen
# knowledge token of the width-64 teacher, mapped by the affine map between
# their token spaces fitted on the first batch. Give the token file with
#   --cfg-options model.backbone.knowledge_tokens.token_file=TOKENS
_base_ = ['./td-hm_vitpose-narrow_synthetic-128x96.py']

model = dict(
    backbone=dict(
        knowledge_tokens=dict(
            type='KnowledgeTokens',
            token_file='work_dirs/td-hm_vitpose-tiny-token-teacher_synthetic-'
            '128x96/knowledge_tokens.pth')))
custom_hooks = _base_.custom_hooks + [dict(type='KnowledgeTokenFitHook')]
