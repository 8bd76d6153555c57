# Partial fine-tuning (ViTPose Table 6): the MAE-pre-trained synthetic tiny
# ViTPose with every attention branch (ln1, MHSA) frozen.
_base_ = ['./td-hm_vitpose-tiny-mae_synthetic-128x96.py']

model = dict(backbone=dict(freeze_attn=True))
