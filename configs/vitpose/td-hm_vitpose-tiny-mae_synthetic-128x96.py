# The synthetic tiny ViTPose fine-tuned from its MAE pre-training
# (mae_vitpose-tiny_synthetic-128x96.py); everything else, the number of
# fine-tuning iterations included, as the from-scratch baseline. Give the
# MAE checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/.../iter_300.pth
_base_ = ['./td-hm_vitpose-tiny_synthetic-128x96.py']

model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint='work_dirs/mae_vitpose-tiny_synthetic-128x96/'
            'iter_300.pth')))
