# Arm of the CPU-kernel check (docs/tfpose.md, "Deformable sampling on the
# CPU"): the quickstart TFPose with MMCV's own deformable attention (its
# PyTorch grid_sample path on the CPU), the sampling before the kernel.
_base_ = ['../../tfpose/tfpose_res18-aux-deconv4x4_synthetic-128x96.py']

model = dict(head=dict(cpu_sampling=None))

# both arms start from the same seed (the quickstart itself draws one)
randomness = dict(seed=0)
