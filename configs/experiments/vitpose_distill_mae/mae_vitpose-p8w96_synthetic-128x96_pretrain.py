# Arm `mae` of vitpose_distill_mae (no evaluation): vitpose_mae's MAE
# pre-training (1,800 iterations of 64 person crops of data/synthetic_mae,
# 75 % masked, normalised pixels, fixed sin-cos positions, MAE's
# initialisation and optimiser) of the p8w96 student's backbone (patch 8,
# width 96, 6 layers, 3 heads) instead of the p8w192's; the decoder is the
# same (128 wide, 2 layers). Its final checkpoint initialises every student
# arm of the experiment at the same seed.
_base_ = ['../vitpose_mae/mae_vitpose-p8w192_synthetic-128x96_pretrain.py']

embed_dims = 96
model = dict(
    backbone=dict(
        arch=dict(embed_dims=embed_dims, num_heads=3,
                  feedforward_channels=embed_dims * 4)))
