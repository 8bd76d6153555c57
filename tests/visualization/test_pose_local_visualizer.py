"""MMPose's visualizer cannot draw keypoints under NumPy 2.4; the subclass
selected by mmpose_ext's runtime config can."""
import numpy as np
import pytest
from mmengine.structures import InstanceData
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.structures import PoseDataSample
from mmpose.visualization import PoseLocalVisualizer

from mmpose_ext.visualization import PoseLocalVisualizerNumpy2
from tests.helpers.mmpose_configs import dataset_info_file


def _sample():
    sample = PoseDataSample()
    keypoints = np.tile(np.array([[20., 30.]]), (17, 1))
    keypoints[:, 0] += np.arange(17) * 2
    sample.pred_instances = InstanceData(
        keypoints=keypoints[None], keypoint_scores=np.full((1, 17), 0.9))
    return sample


@pytest.mark.parametrize('alpha', [1.0, 0.8])
def test_keypoints_are_drawn(alpha):
    meta = parse_pose_metainfo(dict(from_file=dataset_info_file('coco')))
    image = np.zeros((64, 80, 3), np.uint8)
    host = PoseLocalVisualizer(name=f'host_{alpha}', radius=2, alpha=alpha)
    host.set_dataset_meta(meta)
    if np.lib.NumpyVersion(np.__version__) >= '2.4.0':
        with pytest.raises(TypeError, match='0-dimensional'):
            host.add_datasample('x', image, _sample(), draw_gt=False)
    ours = PoseLocalVisualizerNumpy2(
        name=f'ours_{alpha}', radius=2, alpha=alpha)
    ours.set_dataset_meta(meta)
    ours.add_datasample('x', image, _sample(), draw_gt=False)
    drawn = ours.get_image()
    assert drawn.shape == image.shape
    assert drawn[30, 20].max() > 0 and drawn[5, 5].max() == 0
