# The student of the synthetic distillation experiments, without any token
# (the no-token control): the tiny ViTPose at half width (32, 4 layers, 2
# heads), from scratch; schedule as td-hm_vitpose-tiny_synthetic-128x96.py.
_base_ = ['./td-hm_vitpose-tiny_synthetic-128x96.py']

embed_dims = 32
model = dict(
    backbone=dict(
        arch=dict(embed_dims=embed_dims, num_heads=2,
                  feedforward_channels=embed_dims * 4)),
    head=dict(in_channels=embed_dims))
