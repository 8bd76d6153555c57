# Arm of the CPU-kernel check (docs/tfpose.md, "Deformable sampling on the
# CPU"): the quickstart TFPose with the compiled CPU kernel of deformable
# attention, stated explicitly so that a later change of TFPoseHead's default
# cannot move this arm.
_base_ = ['../../tfpose/tfpose_res18_synthetic-128x96.py']

model = dict(head=dict(cpu_sampling='kernel'))

# both arms start from the same seed (the quickstart itself draws one)
randomness = dict(seed=0)
