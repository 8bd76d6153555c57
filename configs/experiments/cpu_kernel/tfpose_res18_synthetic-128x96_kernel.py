# Arm of the CPU-kernel check (docs/tfpose.md, "Deformable sampling on the
# CPU"): the quickstart TFPose with the compiled CPU kernel of deformable
# attention, stated explicitly so that a later change of TFPoseHead's default
# cannot move this arm.
_base_ = ['../../tfpose/tfpose_res18-aux-deconv4x4_synthetic-128x96.py']

model = dict(head=dict(cpu_sampling='kernel'))

# both arms start from the same seed (the quickstart itself draws one)
randomness = dict(seed=0)

# the schedule, stated (the same as the quickstart's when measured), so that
# a later change of the quickstart's length or batch cannot move this arm
# and the arms that inherit it
max_iters = 1500
train_cfg = dict(by_epoch=False, max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_iters, T_max=max_iters,
         by_epoch=False),
]
train_dataloader = dict(batch_size=8)
