# Arm `regression` of the tfpose_aux_readout experiment (docs/tfpose.md,
# "What the features know: the auxiliary branch on C3"), a test-only arm: the
# quickstart TFPose (the cpu_kernel experiment's kernel arm) evaluated by its
# own output, the last decoder layer's coordinates, without flip test, so
# that it and the aux-heatmaps arm each read one forward pass.
_base_ = ['../cpu_kernel/tfpose_res18_synthetic-128x96_kernel.py']

model = dict(test_cfg=dict(flip_test=False))
