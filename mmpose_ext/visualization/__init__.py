from .pose_local_visualizer import PoseLocalVisualizerNumpy2

__all__ = ['PoseLocalVisualizerNumpy2']
