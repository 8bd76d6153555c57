# Arm `noaux` of the tfpose_claims experiment (docs/tfpose.md, "The paper's
# two claims, on the quickstart model"): the quickstart TFPose (the
# cpu_kernel experiment's kernel arm) trained without the auxiliary heatmap
# loss. The paper: the auxiliary loss accelerates convergence. The heatmap
# targets are still generated (the codec makes them) and left unused.
_base_ = ['../cpu_kernel/tfpose_res18_synthetic-128x96_kernel.py']

model = dict(head=dict(aux_head=None))
