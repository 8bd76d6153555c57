"""Visualization of model internals."""
from .tfpose_attention import TFPoseAttentionRecorder, draw_p2q, draw_q2q

__all__ = ['TFPoseAttentionRecorder', 'draw_p2q', 'draw_q2q']
