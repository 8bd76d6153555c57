"""Person annotations of a COCO keypoint file, looked up by image file name."""
import json
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

__all__ = ['CocoGroundTruth']


class CocoGroundTruth:
    """The non-crowd person instances of a COCO keypoint annotation file.

    Args:
        ann_file (str): COCO keypoint annotations
            (``person_keypoints_*.json``).

    Attributes:
        boxes (dict[str, np.ndarray]): image file name -> ``(N, 4)`` float64
            boxes ``x1, y1, x2, y2`` in image pixels (COCO's ``x, y, w, h``
            with ``x2 = x + w``, as MMPose converts them).
        keypoints (dict[str, np.ndarray]): image file name -> ``(N, K, 2)``
            keypoints in image pixels.
        visible (dict[str, np.ndarray]): image file name -> ``(N, K)``; 1 for
            labelled keypoints (COCO visibility 1 or 2), else 0.
    """

    def __init__(self, ann_file: str):
        if not osp.isfile(ann_file):
            raise FileNotFoundError(
                f'{type(self).__name__}: annotation file {ann_file!r} does '
                'not exist')
        with open(ann_file) as f:
            coco = json.load(f)
        names = {img['id']: img['file_name'] for img in coco['images']}
        per_image: Dict[str, List[Tuple]] = {name: [] for name in
                                             names.values()}
        for ann in coco['annotations']:
            if ann.get('iscrowd', 0) or ann.get('category_id', 1) != 1:
                continue
            x, y, w, h = ann['bbox']
            kpts = np.asarray(ann['keypoints'], dtype=np.float64).reshape(
                -1, 3)
            per_image[names[ann['image_id']]].append(
                ([x, y, x + w, y + h], kpts[:, :2], kpts[:, 2] > 0))
        self.boxes, self.keypoints, self.visible = {}, {}, {}
        for name, insts in per_image.items():
            self.boxes[name] = np.array([b for b, _, _ in insts],
                                        dtype=np.float64).reshape(-1, 4)
            self.keypoints[name] = np.array([k for _, k, _ in insts])
            self.visible[name] = np.array([v for _, _, v in insts],
                                          dtype=np.float64)

    def image_name(self, path: str) -> str:
        """The annotated file name of an image path; ``KeyError`` if the
        image is not in the annotation file."""
        name = osp.basename(path)
        if name not in self.boxes:
            raise KeyError(
                f'{type(self).__name__}: image {name!r} is not in the '
                f'annotation file (it has {sorted(self.boxes)})')
        return name

    def match(self, name: str, box: np.ndarray) -> int:
        """Index of the instance of image ``name`` whose box overlaps ``box``
        (``(4,)`` ``x1, y1, x2, y2``) most; ``ValueError`` below IoU 0.5."""
        boxes = self.boxes[name]
        lt = np.maximum(boxes[:, :2], box[:2])
        rb = np.minimum(boxes[:, 2:], box[2:])
        inter = np.prod(np.clip(rb - lt, 0, None), axis=1)
        areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
        iou = inter / (areas + np.prod(box[2:] - box[:2]) - inter)
        best = int(np.argmax(iou)) if len(iou) else -1
        if best < 0 or iou[best] < 0.5:
            raise ValueError(
                f'{type(self).__name__}: no annotated person in {name!r} '
                f'overlaps the box {box.tolist()} with IoU >= 0.5')
        return best
