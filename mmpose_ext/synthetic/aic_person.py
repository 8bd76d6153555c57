"""The same synthetic people annotated with AI Challenger's 14 keypoints.

AI Challenger (Wu et al., 2017) marks 12 limb joints, the top of the head and
the neck. MMPose reads it in its COCO-style conversion (``aic_train.json``,
``aic_val.json``: COCO's ``images``/``annotations``/``categories`` with 14
``x, y, v`` triples per person, ``v`` in COCO's 0/1/2) with ``AicDataset``
and scores it with ``CocoMetric`` and AIC's OKS sigmas
(``configs/_base_/datasets/aic.py``). This module writes that format for the
figures of :mod:`.scene`.

How the keypoints sit on the body model (:mod:`.body_model`):

* the 12 limb joints (shoulders, elbows, wrists, hips, knees, ankles) are the
  very points of the COCO file (same coordinates, same visibility);
* ``head_top``: the point of the head sphere along the head's own ``up``
  axis, ``head + r_head * up_head`` (it turns with the head's pitch and the
  body's roll); it is ``v=2`` when the head is on top at a point ``0.15 *
  r_head`` below it, inside the head's silhouette (the top itself lies on the
  outline, where the label map is split between head and background);
* ``neck``: the body model's ``neck`` point, the top of the torso between the
  shoulder joints (``pelvis + 0.29 * height * up_torso``); ``v=2`` when the
  neck, the torso or the shirt's front strip of the same person is on top
  there (as for COCO's keypoints: a person seen from the back shows it too).

A keypoint is labelled when it lies in the image (``0 <= x <= W - 1``,
``0 <= y <= H - 1``), as in the COCO file; ``bbox`` is the tightest box
around the person's visible pixels and labelled AIC keypoints, and ``area``
the visible pixel count (the COCO file's). AIC has no segments, so none are
written.
"""
from typing import List, Optional

import numpy as np

from .coco_person import KEYPOINT_NAMES as COCO_NAMES
from .figure import PARTS, Figure

AIC_KEYPOINT_NAMES = (
    'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder',
    'left_elbow', 'left_wrist', 'right_hip', 'right_knee', 'right_ankle',
    'left_hip', 'left_knee', 'left_ankle', 'head_top', 'neck')
AIC_NUM_KEYPOINTS = len(AIC_KEYPOINT_NAMES)
# 1-based pairs, the links of MMPose's aic.py
AIC_SKELETON = ((3, 2), (2, 1), (1, 14), (14, 4), (4, 5), (5, 6), (9, 8),
                (8, 7), (7, 10), (10, 11), (11, 12), (13, 14), (1, 7),
                (4, 10))
# for each AIC keypoint, its index among the COCO keypoints (None: new)
AIC_FROM_COCO = tuple(
    COCO_NAMES.index(n) if n in COCO_NAMES else None
    for n in AIC_KEYPOINT_NAMES)
HEAD_TOP = AIC_KEYPOINT_NAMES.index('head_top')
NECK = AIC_KEYPOINT_NAMES.index('neck')
# where head_top's visibility is read: this far below it (x head radius)
HEAD_TOP_PROBE = 0.15
NECK_PARTS = frozenset(
    PARTS.index(p) for p in ('neck', 'torso', 'shirt_front'))
HEAD_PARTS = frozenset([PARTS.index('head')])


def aic_category() -> dict:
    """The ``categories`` entry of the AIC-format file."""
    return {
        'supercategory': 'person',
        'id': 1,
        'name': 'person',
        'keypoints': list(AIC_KEYPOINT_NAMES),
        'skeleton': [list(pair) for pair in AIC_SKELETON],
    }


def _head_top(figure: Figure, depth: float = 0.0) -> np.ndarray:
    """``(2,)`` image position of the head top (``depth`` head radii below
    it, along the head's axis)."""
    b = figure.body
    up = b.head_axes[1]
    point = b.points['head'] + (1.0 - depth) * b.radii['head'] * up
    return point[:2] + figure.offset


def aic_keypoints(figure: Figure, index: int, coco_keypoints: np.ndarray,
                  owner: np.ndarray, part: np.ndarray) -> np.ndarray:
    """AIC ``(14, 3)`` ``x, y, v`` of figure number ``index`` of a scene.

    Args:
        figure (Figure): the person.
        index (int): its index in the scene (the label map's owner id).
        coco_keypoints (np.ndarray): ``(17, 3)`` its COCO annotation
            (pixels, 0.01 rounded; ``0, 0, 0`` unlabelled).
        owner (np.ndarray): ``(H, W)`` figure index on top of each pixel
            (-1: background or an object).
        part (np.ndarray): ``(H, W)`` the part index (``figure.PARTS``) on
            top.
    """
    h, w = owner.shape
    out = np.zeros((AIC_NUM_KEYPOINTS, 3))
    for k, c in enumerate(AIC_FROM_COCO):
        if c is not None:
            out[k] = coco_keypoints[c]
    neck = figure.body.points['neck'][:2] + figure.offset
    for k, xy, probe, parts in (
            (HEAD_TOP, _head_top(figure), _head_top(figure, HEAD_TOP_PROBE),
             HEAD_PARTS),
            (NECK, neck, neck, NECK_PARTS)):
        xy = np.round(xy, 2)
        if not (0 <= xy[0] <= w - 1 and 0 <= xy[1] <= h - 1):
            continue
        px = np.clip(np.round(probe).astype(int), 0, [w - 1, h - 1])
        shown = owner[px[1], px[0]] == index and part[px[1], px[0]] in parts
        out[k] = (xy[0], xy[1], 2 if shown else 1)
    return out


def aic_bbox(mask: np.ndarray, keypoints: np.ndarray) -> np.ndarray:
    """``(4,)`` integer ``x, y, w, h``: the tightest pixel box around
    ``mask (H, W)`` and the labelled ``keypoints (K, 3)`` (pixel ``i`` spans
    ``[i, i + 1)``)."""
    ys, xs = np.nonzero(mask)
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    labelled = keypoints[:, 2] > 0
    if labelled.any():
        lab = np.floor(keypoints[labelled, :2]).astype(int)
        x0, y0 = min(x0, lab[:, 0].min()), min(y0, lab[:, 1].min())
        x1, y1 = max(x1, lab[:, 0].max() + 1), max(y1, lab[:, 1].max() + 1)
    return np.array([x0, y0, x1 - x0, y1 - y0], np.int64)


def annotate_aic(figures: List[Figure], coco_people: List[Optional[object]],
                 labels: np.ndarray, num_parts: int) -> List[Optional[dict]]:
    """AIC annotations of a scene's figures: for each figure with a COCO
    annotation (a :class:`~.scene.PersonAnnotation`), ``dict(keypoints (14,
    3), bbox (4,), area)``; None where the COCO list has None."""
    owner = np.where(labels > 0, (labels - 1) // num_parts, -1)
    part = np.where(labels > 0, (labels - 1) % num_parts, -1)
    out = []
    for i, (fig, person) in enumerate(zip(figures, coco_people)):
        if person is None:
            out.append(None)
            continue
        kps = aic_keypoints(fig, i, person.keypoints, owner, part)
        out.append(dict(keypoints=kps, bbox=aic_bbox(person.mask, kps),
                        area=person.area))
    return out
