# Arm of the decoder-depth experiment: N_D = 1 decoder layers.
_base_ = ['./tfpose_res18_synthetic-128x96_frozen-nd3.py']

model = dict(head=dict(num_decoder_layers=1))
