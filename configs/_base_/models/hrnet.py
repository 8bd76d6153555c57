# HRNet backbones (Sun et al., CVPR 2019) with MMPose's ImageNet weights, as
# variables: a config takes one by listing this file as a further base and
# replacing its backbone,
#   model = dict(backbone=dict(_delete_=True, **_base_.hrnet_w32), ...)
# (variables, not `model`: MMEngine refuses two bases with the same key).
# Width C: branch i of every stage has C * 2**i channels; stage 1 is the
# 64-channel bottleneck stem of all widths.
hrnet_w32 = dict(
    type='HRNet',
    in_channels=3,
    extra=dict(
        stage1=dict(
            num_modules=1,
            num_branches=1,
            block='BOTTLENECK',
            num_blocks=(4, ),
            num_channels=(64, )),
        stage2=dict(
            num_modules=1,
            num_branches=2,
            block='BASIC',
            num_blocks=(4, 4),
            num_channels=(32, 64)),
        stage3=dict(
            num_modules=4,
            num_branches=3,
            block='BASIC',
            num_blocks=(4, 4, 4),
            num_channels=(32, 64, 128)),
        stage4=dict(
            num_modules=3,
            num_branches=4,
            block='BASIC',
            num_blocks=(4, 4, 4, 4),
            num_channels=(32, 64, 128, 256))),
    init_cfg=dict(
        type='Pretrained',
        checkpoint='https://download.openmmlab.com/mmpose/'
        'pretrain_models/hrnet_w32-36af842e.pth'))

# C = 48: the same modules and blocks, every branch 1.5x wider
hrnet_w48 = dict(
    type='HRNet',
    in_channels=3,
    extra=dict(
        stage1=dict(hrnet_w32['extra']['stage1']),
        stage2=dict(hrnet_w32['extra']['stage2'], num_channels=(48, 96)),
        stage3=dict(
            hrnet_w32['extra']['stage3'], num_channels=(48, 96, 192)),
        stage4=dict(
            hrnet_w32['extra']['stage4'], num_channels=(48, 96, 192, 384))),
    init_cfg=dict(
        type='Pretrained',
        checkpoint='https://download.openmmlab.com/mmpose/'
        'pretrain_models/hrnet_w48-8ef0771d.pth'))
