# Arm `stage1` of vitpose_token: knowledge-token stage 1 on the synthetic
# set. The teacher is vitpose_mae's mae-finetune model of the same seed (the
# quickstart ViTPose, p8w192, fine-tuned from MAE; the runner sets
# model.teacher_checkpoint), frozen; one learnable token is fitted to it.
# After training the runner exports the token
# (mmpose_ext.tools.export_knowledge_tokens) to knowledge_tokens.pth in the
# run's work dir, which the token and random-token students read.
_base_ = [
    '../../vitpose/td-hm_vitpose-p8w192-token-teacher_synthetic-128x96.py'
]

# stage 1 keeps its own, short schedule: 100 iterations of batch 16, cosine
# only, no warm-up; evaluated once at the end (the teacher with its token)
max_iters = 100
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=max_iters // 3))
