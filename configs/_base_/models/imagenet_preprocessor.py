# MMPose's PoseDataPreprocessor with the ImageNet channel statistics (RGB,
# 0-255 scale) that the torchvision ResNets, the MAE ViTs and the
# from-scratch models here all normalize with, as a variable: a config lists
# this file as a further base and writes
#   model = dict(data_preprocessor=_base_.imagenet_data_preprocessor, ...)
# (a variable, not `model`: MMEngine refuses two bases with the same key).
imagenet_data_preprocessor = dict(
    type='PoseDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True)
