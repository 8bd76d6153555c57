"""Keypoint codecs (registered in mmpose.registry.KEYPOINT_CODECS)."""
from .tfpose_label import TFPoseLabel

__all__ = ['TFPoseLabel']
