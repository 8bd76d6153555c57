# Arm of the q2q experiment: the N_D = 3 decoder without the
# query-to-query self-attention.
_base_ = ['./tfpose_res18_synthetic-128x96_frozen-nd3.py']

model = dict(head=dict(with_q2q=False))
