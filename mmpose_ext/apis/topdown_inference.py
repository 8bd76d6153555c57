"""Top-down pose estimation of the people in given boxes."""
from typing import Union

import numpy as np
import torch.nn as nn
from mmengine.structures import InstanceData

__all__ = ['estimate_poses']


def estimate_poses(pose_model: nn.Module, img: Union[str, np.ndarray],
                   boxes: np.ndarray):
    """MMPose's :func:`~mmpose.apis.inference_topdown` for detected people,
    merged into one data sample, keeping the detector's box scores.

    Unlike ``inference_topdown`` (which then takes the whole image as one
    person), no boxes give no people.

    Args:
        pose_model (nn.Module): from
            :func:`~mmpose_ext.apis.init_models.init_pose_model`.
        img (str | np.ndarray): image path or ``(H, W, 3)`` BGR uint8 array.
        boxes (np.ndarray): ``(N, 5)`` ``x1, y1, x2, y2, score`` in image
            pixels (:func:`~mmpose_ext.apis.person_detection.detect_people`).

    Returns:
        PoseDataSample: ``pred_instances`` with ``keypoints (N, K, 2)`` in
        image pixels, ``keypoint_scores (N, K)``, ``bboxes (N, 4)`` and
        ``bbox_scores (N,)`` (the detector's scores).
    """
    from mmpose.apis import inference_topdown
    from mmpose.structures import PoseDataSample, merge_data_samples

    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 5)
    if len(boxes) == 0:
        num_keypoints = pose_model.dataset_meta['num_keypoints']
        sample = PoseDataSample()
        sample.pred_instances = InstanceData(
            keypoints=np.zeros((0, num_keypoints, 2), np.float32),
            keypoint_scores=np.zeros((0, num_keypoints), np.float32),
            bboxes=np.zeros((0, 4), np.float32),
            bbox_scores=np.zeros((0, ), np.float32))
        return sample
    results = inference_topdown(pose_model, img, boxes[:, :4], 'xyxy')
    # inference_topdown gives every box score 1
    for result, score in zip(results, boxes[:, 4]):
        result.pred_instances.bbox_scores = np.array([score], np.float32)
    return merge_data_samples(results)
