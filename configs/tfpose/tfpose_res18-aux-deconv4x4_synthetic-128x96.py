# The quickstart TFPose as it was until issue 19: the auxiliary branch's
# deconvolution 4x4 (stride 2, padding 1), where the quickstart now has a
# 2x2 one (a quarter of the multiply-adds, AP level within what six seed
# pairs resolve: the tfpose_aux_head experiment, docs/tfpose.md, "A cheaper
# auxiliary branch, trained"). The
# TFPose experiments recorded before the change inherit this file, so that
# their configs still say what ran.
_base_ = ['./tfpose_res18_synthetic-128x96.py']

model = dict(head=dict(aux_head=dict(deconv_kernel_sizes=(4, ))))
