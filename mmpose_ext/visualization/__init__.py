"""Visualizers and pictures of model internals."""
from .pose_local_visualizer import PoseLocalVisualizerNumpy2
from .tfpose_attention import TFPoseAttentionRecorder, draw_p2q, draw_q2q

__all__ = [
    'PoseLocalVisualizerNumpy2', 'TFPoseAttentionRecorder', 'draw_p2q',
    'draw_q2q'
]
