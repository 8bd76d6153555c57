"""The same synthetic people annotated with MPII's 16 keypoints.

MPII Human Pose (Andriluka et al., 2014) marks 12 limb joints, the pelvis,
the thorax, the upper neck and the top of the head. MMPose reads it in the
json layout of its MPII conversion (``mpii_train.json``, ``mpii_val.json``:
a list with one dict per person, ``image`` (file name), ``joints`` (16 ``x,
y``, MATLAB's 1-based pixel coordinates), ``joints_vis`` (16 ``0/1``),
``center`` (1-based) and ``scale`` (box side / 200)) with ``MpiiDataset``,
and scores it with ``MpiiPCKAccuracy`` (PCKh), whose head sizes
``MpiiDataset`` takes from a MATLAB file (``headbox_file``: array
``headboxes_src`` of shape ``(2, 2, N)``, corner x coordinate x person).
This module makes those records for the figures of :mod:`.scene`.

How the keypoints sit on the body model (:mod:`.body_model`):

* the 12 limb joints (ankles, knees, hips, wrists, elbows, shoulders) are
  the very points of the COCO file (1 added to x and y);
* ``pelvis``: the body model's ``pelvis``, the midpoint of the hip joints;
* ``thorax``: the body model's ``neck`` point, the top of the torso between
  the shoulder joints (AIC's ``neck``, :mod:`.aic_person`);
* ``upper_neck``: where the neck leaves the head: the point of the head
  sphere on the segment from the ``neck`` point to the head's centre;
* ``head_top``: AIC's ``head_top``, ``head + r_head * up_head``.

``joints_vis`` is 1 for a labelled joint, 0 otherwise, as in MMPose's MPII
files: it says whether a joint is annotated, not whether it is seen. A joint
is labelled when it lies in the image (``0 <= x <= W - 1``, ``0 <= y <= H -
1``, 0-based), like the COCO keypoints; an unlabelled one is written ``-1,
-1`` (MPII's mark of a missing joint). ``scale`` is the longer side of the
COCO file's box over 200 (``MpiiDataset`` makes a square box of ``scale *
200`` pixels), and ``center`` is the box centre written so that the box
``MpiiDataset`` derives is centred on the person: the dataset moves every
centre down by ``15 * scale`` pixels (to avoid cropping limbs, its comment
says) and subtracts 1, so the file holds ``x + 1, y + 1 - 15 * scale``. The head
box is the square around the head sphere's image (``centre +- r_head``);
``MpiiPCKAccuracy`` uses 0.6 times its diagonal as the head size.
"""
from typing import List, Optional

import numpy as np

from .coco_person import KEYPOINT_NAMES as COCO_NAMES
from .figure import Figure

MPII_KEYPOINT_NAMES = (
    'right_ankle', 'right_knee', 'right_hip', 'left_hip', 'left_knee',
    'left_ankle', 'pelvis', 'thorax', 'upper_neck', 'head_top',
    'right_wrist', 'right_elbow', 'right_shoulder', 'left_shoulder',
    'left_elbow', 'left_wrist')
MPII_NUM_KEYPOINTS = len(MPII_KEYPOINT_NAMES)
# for each MPII keypoint, its index among the COCO keypoints (None: new)
MPII_FROM_COCO = tuple(
    COCO_NAMES.index(n) if n in COCO_NAMES else None
    for n in MPII_KEYPOINT_NAMES)
PELVIS, THORAX, UPPER_NECK, HEAD_TOP = (
    MPII_KEYPOINT_NAMES.index(n)
    for n in ('pelvis', 'thorax', 'upper_neck', 'head_top'))
# MpiiDataset's centre shift, in pixels per unit of scale
CENTER_SHIFT = 15.0
PIXEL_STD = 200.0


def _new_points(figure: Figure) -> dict:
    """``(2,)`` image positions of the four keypoints that COCO lacks."""
    b = figure.body
    head, r = b.points['head'], b.radii['head']
    neck = b.points['neck']
    to_head = head - neck
    points = {
        PELVIS: b.points['pelvis'],
        THORAX: neck,
        UPPER_NECK: head - r * to_head / np.linalg.norm(to_head),
        HEAD_TOP: head + r * b.head_axes[1],
    }
    return {k: p[:2] + figure.offset for k, p in points.items()}


def mpii_joints(figure: Figure, coco_keypoints: np.ndarray, width: int,
                height: int) -> np.ndarray:
    """MPII ``(16, 3)`` ``x, y, vis`` of a person, 0-based pixels (0.01
    rounded), ``vis`` 1 for a labelled joint; ``0, 0, 0`` unlabelled.

    Args:
        figure (Figure): the person.
        coco_keypoints (np.ndarray): ``(17, 3)`` its COCO annotation
            (pixels, 0.01 rounded; ``0, 0, 0`` unlabelled).
        width (int): image width.
        height (int): image height.
    """
    out = np.zeros((MPII_NUM_KEYPOINTS, 3))
    for k, c in enumerate(MPII_FROM_COCO):
        if c is not None and coco_keypoints[c, 2] > 0:
            out[k] = (coco_keypoints[c, 0], coco_keypoints[c, 1], 1)
    for k, xy in _new_points(figure).items():
        xy = np.round(xy, 2)
        if 0 <= xy[0] <= width - 1 and 0 <= xy[1] <= height - 1:
            out[k] = (xy[0], xy[1], 1)
    return out


def head_box(figure: Figure) -> np.ndarray:
    """``(2, 2)`` the head box's corners ``[[x1, y1], [x2, y2]]``, 1-based
    pixels: the square around the head sphere's image."""
    b = figure.body
    centre = b.points['head'][:2] + figure.offset + 1.0
    r = b.radii['head']
    return np.round(np.stack([centre - r, centre + r]), 2)


def mpii_record(figure: Figure, coco_keypoints: np.ndarray,
                bbox: np.ndarray, image: str, width: int,
                height: int) -> dict:
    """One entry of an MPII-format json file: ``image``, ``joints`` (16 x,
    y, 1-based; ``-1, -1`` unlabelled), ``joints_vis``, ``center``,
    ``scale`` for the person of COCO box ``bbox (4,)`` (``x, y, w, h``)."""
    joints = mpii_joints(figure, coco_keypoints, width, height)
    vis = joints[:, 2] > 0
    xy = np.where(vis[:, None], joints[:, :2] + 1.0, -1.0)
    x, y, w, h = (float(v) for v in bbox)
    scale = round(max(w, h) / PIXEL_STD, 4)
    center = [round(x + w / 2 + 1.0, 2),
              round(y + h / 2 + 1.0 - CENTER_SHIFT * scale, 2)]
    return {
        'image': image,
        'joints': [[round(float(a), 2), round(float(b), 2)] for a, b in xy],
        'joints_vis': [int(v) for v in vis],
        'center': center,
        'scale': scale,
    }


def annotate_mpii(figures: List[Figure], coco_people: List[Optional[object]],
                  image: str, width: int,
                  height: int) -> List[Optional[tuple]]:
    """MPII records of a scene's figures: for each figure with a COCO
    annotation (a :class:`~.scene.PersonAnnotation`), ``(record, head box
    (2, 2))``; None where the COCO list has None."""
    out = []
    for fig, person in zip(figures, coco_people):
        if person is None:
            out.append(None)
            continue
        out.append((mpii_record(fig, person.keypoints, person.bbox, image,
                                width, height), head_box(fig)))
    return out
