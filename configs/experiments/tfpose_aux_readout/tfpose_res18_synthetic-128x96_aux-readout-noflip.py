# Arm `aux-heatmaps` of the tfpose_aux_readout experiment (docs/tfpose.md,
# "What the features know: the auxiliary branch on C3"), a test-only arm: the
# same checkpoint and forward pass as the regression arm, the keypoints
# decoded from the auxiliary heatmaps (UDP) instead of the regression
# (TFPoseHead's test_cfg readout).
_base_ = ['./tfpose_res18_synthetic-128x96_regression-noflip.py']

model = dict(test_cfg=dict(readout='aux_heatmaps'))
