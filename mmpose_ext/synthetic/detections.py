"""A simulated person detector for the top-down validation path.

It plays the role of the detector behind COCO's
``COCO_val2017_detections_AP_H_56_person.json``: most people are found with a
box that is off by a few percent (shifted, scaled, its aspect changed) and a
high score; people who are mostly hidden or small are found less often and
less confidently; some people get a second, worse box with a low score (a
duplicate that survived the detector's NMS); and there are false positives on
the background with low scores.

Note:
    Boxes are ``x, y, w, h`` in image pixels, clipped to the image; scores are
    in ``(0, 1]``.
"""
from typing import List, Sequence, Tuple

import numpy as np
from mmpose.structures.bbox import bbox_xywh2xyxy

from .scene import box_iou

MISS_RATE = 0.03  # for a fully visible, large person
MIN_SCORE = 0.01


def _jitter(rng, box, width, height, spread):
    """``box`` (``x, y, w, h``) shifted and rescaled by ``spread`` (relative
    standard deviation), clipped to the image; None if it vanishes."""
    x, y, w, h = box
    cx = x + w / 2 + rng.normal(0, spread) * w
    cy = y + h / 2 + rng.normal(0, spread) * h
    w = w * np.exp(rng.normal(0, spread))
    h = h * np.exp(rng.normal(0, spread))
    x0, y0 = max(cx - w / 2, 0.0), max(cy - h / 2, 0.0)
    x1, y1 = min(cx + w / 2, width), min(cy + h / 2, height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def simulate_detections(rng: np.random.Generator, boxes: Sequence,
                        visible_fractions: Sequence[float], width: int,
                        height: int) -> List[Tuple[tuple, float]]:
    """Detections for one image.

    Args:
        rng: the random source (one per image, for determinism).
        boxes: the people's ground-truth boxes, ``(N, 4)`` ``x, y, w, h``.
        visible_fractions: ``(N,)`` fraction of each person left visible by
            occluders and the image border, in [0, 1].
        width, height: image size in pixels.

    Returns:
        list of ``(box, score)``, ``box`` a tuple ``x, y, w, h``, sorted by
        decreasing score.
    """
    dets = []
    for box, frac in zip(boxes, visible_fractions):
        size = np.sqrt(box[2] * box[3]) / np.sqrt(width * height)
        hardness = np.clip((1 - frac) + max(0.0, 0.12 - size) * 4, 0, 1)
        if rng.uniform() < MISS_RATE + 0.4 * hardness ** 2:
            continue
        det = _jitter(rng, box, width, height, 0.03 + 0.06 * hardness)
        if det is None:
            continue
        quality = box_iou(*bbox_xywh2xyxy(np.array([det, box], float)))
        score = 0.97 * quality - 0.4 * hardness + rng.normal(0, 0.05)
        dets.append((det, float(np.clip(score, 0.05, 0.999))))
        if rng.uniform() < 0.25:  # a duplicate, worse box
            dup = _jitter(rng, box, width, height, 0.15)
            if dup is not None:
                dets.append((dup, float(rng.uniform(0.03, 0.35))))
    for _ in range(int(rng.poisson(0.8))):  # false positives
        w = width * rng.uniform(0.08, 0.4)
        h = min(height, w * rng.uniform(1.2, 3.0))
        x, y = rng.uniform(0, width - w), rng.uniform(0, height - h)
        dets.append(((x, y, w, h), float(rng.uniform(MIN_SCORE, 0.4))))
    dets.sort(key=lambda d: -d[1])
    return dets
