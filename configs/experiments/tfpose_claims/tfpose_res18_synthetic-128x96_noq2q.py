# Arm `noq2q` of the tfpose_claims experiment (docs/tfpose.md, "The paper's
# two claims, on the quickstart model"): the quickstart TFPose (the
# cpu_kernel experiment's kernel arm) without the query-to-query
# self-attention in its decoder layers (the paper: +1.3 AP with it).
_base_ = ['../cpu_kernel/tfpose_res18_synthetic-128x96_kernel.py']

model = dict(head=dict(with_q2q=False))
