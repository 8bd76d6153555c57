# ViTPose-S (classic decoder), COCO 256x192: the official small config
# (width 384, 12 layers, 12 heads, layer decay 0.8, drop path 0.1).
# MAE weights of ViT-S: the ViTPose authors' mae_pretrain_vit_small.pth (see
# docs/vitpose.md) in pretrained/.
_base_ = ['./td-hm_vitpose-base_8xb64-210e_coco-256x192.py']

embed_dims = 384
num_layers = 12

optim_wrapper = dict(
    paramwise_cfg=dict(num_layers=num_layers, layer_decay_rate=0.8))
model = dict(
    backbone=dict(
        arch=dict(
            embed_dims=embed_dims,
            num_layers=num_layers,
            num_heads=12,
            feedforward_channels=embed_dims * 4),
        drop_path_rate=0.1,
        init_cfg=dict(checkpoint='pretrained/mae_pretrain_vit_small.pth')),
    head=dict(in_channels=embed_dims))
