"""Heads (registered in mmpose.registry.MODELS), laid out as MMPose's."""
from .coord_cls_heads import SimDRHead
from .regression_heads import TFPoseHead

__all__ = ['SimDRHead', 'TFPoseHead']
