# ViTPose-B with the simple decoder (paper Eq. 3): ReLU, bilinear x4,
# 3x3 prediction (configs/_base_/models/vitpose_simple_decoder.py).
_base_ = ['./td-hm_vitpose-base_8xb64-210e_coco-256x192.py',
          '../_base_/models/vitpose_simple_decoder.py']

model = _base_.simple_decoder
