# Stage 1 of knowledge-token distillation at test size: the tiny ViTPose
# (trained with td-hm_vitpose-tiny_coco-tiny-128x96.py) frozen, with two
# learnable knowledge tokens. Give the teacher with
#   --cfg-options model.teacher_checkpoint=work_dirs/.../iter_2.pth
_base_ = ['./td-hm_vitpose-tiny_coco-tiny-128x96.py']

optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.999),
                   weight_decay=0.),
    clip_grad=dict(max_norm=1., norm_type=2))

model = dict(
    type='KnowledgeTokenTeacher',
    teacher_checkpoint='work_dirs/td-hm_vitpose-tiny_coco-tiny-128x96/'
    'iter_2.pth',
    backbone=dict(
        knowledge_tokens=dict(type='KnowledgeTokens', num_tokens=2)))
