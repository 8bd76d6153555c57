"""Person boxes from an MMDetection detector, as top-down pose needs them."""
from typing import Union

import numpy as np
import torch.nn as nn

__all__ = ['detect_people']


def detect_people(detector: nn.Module,
                  img: Union[str, np.ndarray],
                  cat_id: int = 0,
                  score_thr: float = 0.3,
                  nms_thr: float = 0.3) -> np.ndarray:
    """Run ``detector`` on one image and keep the confident people.

    The boxes of class ``cat_id`` scoring above ``score_thr`` go through
    MMPose's box NMS (:func:`mmpose.evaluation.functional.nms`: IoU above
    ``nms_thr`` suppressed, widths and heights counted +1 as for pixel-index
    boxes), as MMPose's top-down demo does.

    Args:
        detector (nn.Module): from
            :func:`~mmpose_ext.apis.init_models.init_person_detector`.
        img (str | np.ndarray): an image path, or a ``(H, W, 3)`` BGR uint8
            array (a video frame).
        cat_id (int): the detector's label index of "person" (0 for COCO
            detectors).
        score_thr (float): boxes scoring at or below it are dropped.
        nms_thr (float): IoU threshold of the NMS; 1 keeps every box.

    Returns:
        np.ndarray: ``(N, 5)`` float32 boxes ``x1, y1, x2, y2, score`` in
        original image pixels, highest score first.
    """
    from mmdet.apis import inference_detector
    from mmpose.evaluation.functional import nms

    pred = inference_detector(detector, img).pred_instances.cpu().numpy()
    boxes = np.concatenate([pred.bboxes, pred.scores[:, None]], axis=1)
    keep = (pred.labels == cat_id) & (pred.scores > score_thr)
    boxes = boxes[keep].astype(np.float32).reshape(-1, 5)
    # nms returns the kept indices highest score first
    return boxes[nms(boxes, nms_thr)].reshape(-1, 5)
