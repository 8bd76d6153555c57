# Arm `deconv2x2` of the tfpose_aux_head experiment (docs/tfpose.md, "A
# cheaper auxiliary branch, trained"): the quickstart TFPose as it was until
# issue 19 (the cpu_kernel experiment's kernel arm) with the auxiliary
# branch's 4x4 deconvolution replaced by a 2x2 one (stride 2, no overlap:
# each output pixel from one C3 token), a quarter of its multiply-adds, to
# the same 32x24 targets: today's quickstart model, with its sampling and
# seed stated.
_base_ = ['../cpu_kernel/tfpose_res18_synthetic-128x96_kernel.py']

model = dict(head=dict(aux_head=dict(deconv_kernel_sizes=(2, ))))
