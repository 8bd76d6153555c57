"""Pose predictions as entries of a COCO keypoint results file."""
from typing import List, Optional

import numpy as np

__all__ = ['instances_to_coco_results']


def instances_to_coco_results(pred_instances,
                              image_id: int,
                              category_id: int = 1,
                              keypoint_score_thr: float = 0.2,
                              file_name: Optional[str] = None) -> List[dict]:
    """One COCO results entry per predicted person.

    The instance score is MMPose's ``CocoMetric(score_mode='bbox_keypoint')``
    rescoring: the box score times the mean of the keypoint scores above
    ``keypoint_score_thr`` (0 when none is above it), so a file written here
    ranks people as MMPose's evaluation does.

    Args:
        pred_instances: MMPose's ``pred_instances`` of one image
            (``InstanceData`` or a dict) with ``keypoints (N, K, 2)`` and
            ``bboxes (N, 4)`` (``x1, y1, x2, y2``) in original image pixels,
            ``keypoint_scores (N, K)`` and ``bbox_scores (N,)``.
        image_id (int): the image's id.
        category_id (int): COCO's person category.
        keypoint_score_thr (float): see above; CocoMetric's default 0.2.
        file_name (str, optional): added to each entry as ``file_name``
            (pycocotools ignores keys it does not know).

    Returns:
        list[dict]: ``image_id``, ``category_id``, ``keypoints`` (``3K``
        floats ``x, y, score``), ``score``, ``bbox`` (the person box ``x, y,
        w, h``), ``bbox_score`` (the detector's score) and optionally
        ``file_name``.
    """
    keypoints = np.asarray(pred_instances['keypoints'], dtype=np.float64)
    kpt_scores = np.asarray(
        pred_instances['keypoint_scores'], dtype=np.float64)
    bboxes = np.asarray(pred_instances['bboxes'], dtype=np.float64)
    bbox_scores = np.asarray(pred_instances['bbox_scores'], dtype=np.float64)
    results = []
    for kpts, scores, bbox, bbox_score in zip(keypoints, kpt_scores, bboxes,
                                              bbox_scores):
        confident = scores[scores > keypoint_score_thr]
        mean_score = confident.mean() if len(confident) else 0.0
        entry = dict(
            image_id=int(image_id),
            category_id=int(category_id),
            keypoints=np.concatenate([kpts[:, :2], scores[:, None]],
                                     axis=1).reshape(-1).tolist(),
            score=float(bbox_score * mean_score),
            bbox=[float(bbox[0]), float(bbox[1]),
                  float(bbox[2] - bbox[0]), float(bbox[3] - bbox[1])],
            bbox_score=float(bbox_score))
        if file_name is not None:
            entry['file_name'] = file_name
        results.append(entry)
    return results
