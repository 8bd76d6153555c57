# ViTPose-L (classic decoder), COCO 256x192: width 1024, 24 layers, 16 heads,
# layer decay 0.8 and drop path 0.5 (paper Table 1).
# MAE weights: https://dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_large.pth
_base_ = ['./td-hm_vitpose-base_8xb64-210e_coco-256x192.py']

embed_dims = 1024
num_layers = 24

optim_wrapper = dict(
    paramwise_cfg=dict(num_layers=num_layers, layer_decay_rate=0.8))
model = dict(
    backbone=dict(
        arch=dict(
            embed_dims=embed_dims,
            num_layers=num_layers,
            num_heads=16,
            feedforward_channels=embed_dims * 4),
        drop_path_rate=0.5,
        init_cfg=dict(checkpoint='pretrained/mae_pretrain_vit_large.pth')),
    head=dict(in_channels=embed_dims))
