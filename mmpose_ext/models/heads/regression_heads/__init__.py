from .tfpose_head import TFPoseHead

__all__ = ['TFPoseHead']
