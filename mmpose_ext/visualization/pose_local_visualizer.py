"""MMPose's pose visualizer, drawing keypoints under NumPy 2."""
from typing import Union

import numpy as np
from mmpose.registry import VISUALIZERS
from mmpose.visualization import PoseLocalVisualizer

__all__ = ['PoseLocalVisualizerNumpy2']


@VISUALIZERS.register_module()
class PoseLocalVisualizerNumpy2(PoseLocalVisualizer):
    """:class:`mmpose.visualization.PoseLocalVisualizer` that can draw
    keypoints with NumPy >= 2.4.

    MMPose 1.3.2 draws every keypoint with ``radius=np.array([r])``, and its
    OpenCV backend converts it with ``int(radius)``, which NumPy 2.4 refuses
    for a one-element 1-d array (``TypeError: only 0-dimensional arrays can
    be converted to Python scalars``). This class passes such a radius on as
    a scalar; everything else is MMPose's. mmpose_ext's runtime config
    selects it, so the demo, ``MMPoseInferencer`` and ``--show-dir`` draw.
    """

    def draw_circles(self,
                     center,
                     radius: Union[int, float, np.ndarray],
                     face_colors='none',
                     alpha: Union[int, float] = 1.0,
                     **kwargs):
        if (self.backend == 'opencv' and isinstance(radius, np.ndarray)
                and radius.size == 1):
            radius = radius.item()
        return super().draw_circles(
            center, radius, face_colors=face_colors, alpha=alpha, **kwargs)
