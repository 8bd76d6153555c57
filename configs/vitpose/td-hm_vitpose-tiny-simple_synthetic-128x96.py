# The synthetic tiny ViTPose with the simple decoder (ViTPose Eq. 3): 4x
# bilinear upsampling of the backbone map, ReLU, a 3x3 convolution; all else
# as td-hm_vitpose-tiny_synthetic-128x96.py.
_base_ = ['./td-hm_vitpose-tiny_synthetic-128x96.py',
          '../_base_/models/vitpose_simple_decoder.py']

model = _base_.simple_decoder
