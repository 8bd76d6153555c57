# Arm `c5` of the tfpose_aux_level experiment (docs/tfpose.md, "What the
# features know: the auxiliary branch on C3"): the quickstart TFPose (the
# cpu_kernel experiment's kernel arm) with the auxiliary heatmap branch on
# the C5 tokens, as in the paper: stride 32 (a 4x3 map at 128x96), so three
# x2 deconvolutions to the 32x24 targets instead of the quickstart's one
# from C3.
_base_ = ['../cpu_kernel/tfpose_res18_synthetic-128x96_kernel.py']

model = dict(
    head=dict(
        aux_level=-1,
        aux_head=dict(
            deconv_out_channels=(128, 128, 128),
            deconv_kernel_sizes=(4, 4, 4))))
