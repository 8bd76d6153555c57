# Partial fine-tuning (ViTPose Table 6): the MAE-pre-trained synthetic tiny
# ViTPose with every FFN branch (ln2, FFN) frozen.
_base_ = ['./td-hm_vitpose-tiny-mae_synthetic-128x96.py']

model = dict(backbone=dict(freeze_ffn=True))
