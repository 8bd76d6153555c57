"""Heads (registered in mmpose.registry.MODELS)."""
from .regression_heads import TFPoseHead

__all__ = ['TFPoseHead']
