# ViTPose-H (classic decoder), COCO 256x192: width 1280, 32 layers, 16 heads,
# drop path 0.55 (paper Table 1). Layer decay 0.85 as MMPose's ViTPose-H
# config, which reproduced the paper (the paper's Table 1 lists 0.80).
# MAE weights: https://dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_huge.pth
# (14x14 patches; the kernel is zero-padded to 16x16 when loading, paper
# Sec. 3.2).
_base_ = ['./td-hm_vitpose-base_8xb64-210e_coco-256x192.py']

embed_dims = 1280
num_layers = 32

optim_wrapper = dict(
    paramwise_cfg=dict(num_layers=num_layers, layer_decay_rate=0.85))
model = dict(
    backbone=dict(
        arch=dict(
            embed_dims=embed_dims,
            num_layers=num_layers,
            num_heads=16,
            feedforward_channels=embed_dims * 4),
        drop_path_rate=0.55,
        init_cfg=dict(checkpoint='pretrained/mae_pretrain_vit_huge.pth')),
    head=dict(in_channels=embed_dims))
