# Stage 1 of knowledge-token distillation on the synthetic set with the
# quickstart ViTPose as the teacher (td-hm_vitpose-p8w192_synthetic-128x96.py,
# trained, e.g. fine-tuned from its MAE pre-training): the teacher frozen,
# one learnable token, 100 iterations of AdamW 5e-3 without weight decay or
# layer decay (as td-hm_vitpose-tiny-token-teacher_synthetic-128x96.py).
# Give the teacher with
#   --cfg-options model.teacher_checkpoint=work_dirs/.../iter_1500.pth
_base_ = ['./td-hm_vitpose-p8w192_synthetic-128x96.py']

max_iters = 100
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='AdamW', lr=5e-3, betas=(0.9, 0.999),
                   weight_decay=0.),
    clip_grad=dict(max_norm=1., norm_type=2))
param_scheduler = [
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))

model = dict(
    type='KnowledgeTokenTeacher',
    teacher_checkpoint='work_dirs/td-hm_vitpose-p8w192_synthetic-128x96/'
    'iter_1500.pth',
    backbone=dict(
        # every weight comes from teacher_checkpoint
        init_cfg=None,
        knowledge_tokens=dict(type='KnowledgeTokens', num_tokens=1)))
