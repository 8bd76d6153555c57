# Knowledge-token distillation, stage 1 (ViTPose Sec. 3.4, Eq. 5): a trained
# ViTPose-L, frozen (and in eval mode), gets one learnable knowledge token
# after its patch embedding; only the token is trained, with the pose loss.
# The paper tunes the token "for several epochs": 10 here, our choice.
# Teacher weights: your ViTPose-L checkpoint (work_dirs/vitpose_l/...) or the
# official ViTPose-L COCO checkpoint (converted when loaded), at
# pretrained/vitpose_large_coco_256x192.pth.
# Then: python -m mmpose_ext.tools.export_knowledge_tokens \
#     work_dirs/vitpose_l_token-teacher/epoch_10.pth \
#     work_dirs/vitpose_l_token-teacher/knowledge_tokens.pth
_base_ = ['./td-hm_vitpose-large_8xb64-210e_coco-256x192.py']

train_cfg = dict(max_epochs=10, val_interval=1)
# one tensor is trained: plain AdamW, no layer decay; no weight decay on the
# token (an embedding, like the position table)
optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.999),
                   weight_decay=0.),
    clip_grad=dict(max_norm=1., norm_type=2))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001,
         by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=10, milestones=[8], gamma=0.1,
         by_epoch=True)
]
default_hooks = dict(checkpoint=dict(save_best=None, max_keep_ckpts=2))

model = dict(
    type='KnowledgeTokenTeacher',
    teacher_checkpoint='pretrained/vitpose_large_coco_256x192.pth',
    backbone=dict(
        init_cfg=None,
        knowledge_tokens=dict(type='KnowledgeTokens', num_tokens=1)))
