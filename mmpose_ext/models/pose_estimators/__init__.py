"""Pose estimators (registered in mmpose.registry.MODELS)."""
from .multi_head_topdown import (MultiHeadTopdownPoseEstimator,
                                 head_num_keypoints)

__all__ = ['MultiHeadTopdownPoseEstimator', 'head_num_keypoints']
