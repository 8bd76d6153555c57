# Arm of the detach experiment (docs/tfpose.md, "The refinement undetached,
# at full length"): the quickstart TFPose (the cpu_kernel experiment's kernel
# arm) with the refinement detached between decoder layers, as Deformable
# DETR's iterative refinement does: y_{d-1} passes no gradient to layer d-1.
_base_ = ['../cpu_kernel/tfpose_res18_synthetic-128x96_kernel.py']

model = dict(head=dict(detach_refinement=True))
