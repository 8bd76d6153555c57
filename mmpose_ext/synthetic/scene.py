"""One synthetic image: people and objects placed over a background, drawn in
depth order, and the COCO annotation of every person read back from what was
drawn.

Note:
    Annotation rules (all in image pixels, integer values at pixel centres):

    - ``mask``: the pixels whose top-most label belongs to the person (their
      visible extent); ``area`` is its pixel count, as COCO's segment area.
    - keypoint ``k`` at ``(x, y)`` is labelled when ``0 <= x <= W - 1`` and
      ``0 <= y <= H - 1``, unless it is the nose or an eye on the back of
      the head (see :mod:`.figure`); otherwise it is ``(0, 0, 0)`` (truncated
      by the image border, or a face seen from behind). A labelled keypoint
      is ``v=2`` when its figure shows it at pixel ``round(x, y)`` (see
      :mod:`.figure`), else ``v=1`` (occluded by another person, an object
      or the person's own body).
    - ``bbox`` ``[x, y, w, h]``: the tightest pixel box around the mask and
      the labelled keypoints (pixel ``i`` spans ``[i, i + 1)``), so it equals
      COCO's box of the segment unless an occluded keypoint lies outside the
      visible extent, and every labelled keypoint is inside it.
"""
from dataclasses import dataclass
from typing import List, Optional

import cv2
import numpy as np

from .background import render_background
from .body_model import build_body, sample_pose, sample_view
from .coco_person import NUM_KEYPOINTS
from .figure import (KEYPOINT_PARTS, NUM_PARTS, Figure, sample_appearance)
from .primitives import draw
from .props import sample_prop


@dataclass
class PersonAnnotation:
    """A person's ground truth in one image.

    Attributes:
        keypoints (np.ndarray): ``(17, 3)`` COCO ``x, y, v`` (pixels, rounded
            to 0.01; ``0, 0, 0`` when not labelled).
        bbox (np.ndarray): ``(4,)`` ``x, y, w, h`` (integer pixels).
        area (int): visible pixel count.
        mask (np.ndarray): ``(H, W)`` bool visible extent.
        true_keypoints (np.ndarray): ``(17, 2)`` projected keypoints wherever
            they are, also outside the image.
        visible_fraction (float): ``area`` over the pixel area the person
            would cover alone inside an unbounded image.
    """
    keypoints: np.ndarray
    bbox: np.ndarray
    area: int
    mask: np.ndarray
    true_keypoints: np.ndarray
    visible_fraction: float

    @property
    def num_keypoints(self) -> int:
        return int((self.keypoints[:, 2] > 0).sum())


@dataclass
class Scene:
    """What one image shows: ``figures`` and ``props`` (shapes) with their
    ``layers`` (depth order, larger is farther), the
    ``light`` direction ``(3,)`` and the image size."""
    width: int
    height: int
    figures: List[Figure]
    props: list
    figure_layers: List[float]
    prop_layers: List[float]
    light: np.ndarray


def box_iou(a, b):
    """IoU of two ``x0, y0, x1, y1`` boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / max(union - inter, 1e-6)


def _place(rng, extent, width, height, truncate):
    """Pelvis position ``(2,)`` for a figure whose keypoints span ``extent``
    (``x0, y0, x1, y1`` relative to its pelvis); with ``truncate`` the figure
    may stick out of the image (keeping at least 40 % of its box inside)."""
    x0, y0, x1, y1 = extent
    bw, bh = x1 - x0, y1 - y0
    for _ in range(20):
        if truncate:
            left = rng.uniform(-0.6 * bw, width - 0.4 * bw)
            top = rng.uniform(-0.3 * bh, height - 0.4 * bh)
        else:
            left = rng.uniform(min(0, width - bw), max(0, width - bw))
            top = rng.uniform(min(0, height - bh), max(0, height - bh))
        inside_w = min(left + bw, width) - max(left, 0)
        inside_h = min(top + bh, height) - max(top, 0)
        if inside_w > 0 and inside_h > 0 and \
                inside_w * inside_h >= 0.4 * bw * bh:
            break
    return np.array([left - x0, top - y0])


def sample_scene(rng: np.random.Generator, width: int, height: int,
                 max_people: int, min_people: int = 1) -> Scene:
    """Draw people (between ``min_people`` and ``max_people``; fewer when
    there is no room without heavy overlap), objects, depth order and
    lighting for a ``width`` x ``height`` image."""
    figures, layers, boxes = [], [], []
    for _ in range(int(rng.integers(min_people, max_people + 1))):
        for _attempt in range(10):
            body = build_body(
                float(np.exp(rng.uniform(np.log(0.35), np.log(0.95)))) * height,
                sample_pose(rng), sample_view(rng), rng)
            kp = np.stack([p[:2] for p in body.points.values()])
            pad = body.radii['thigh']
            extent = (*(kp.min(0) - pad), *(kp.max(0) + pad))
            offset = _place(rng, extent, width, height,
                            truncate=rng.uniform() < 0.3)
            box = (extent[0] + offset[0], extent[1] + offset[1],
                   extent[2] + offset[0], extent[3] + offset[1])
            if all(box_iou(box, b) < 0.4 for b in boxes):
                break
        else:
            continue
        boxes.append(box)
        figures.append(Figure(body, offset, sample_appearance(rng)))
        # taller people are mostly nearer (in front), not always
        layers.append(float(-np.log(body.height) + rng.normal(0, 0.3)))

    props, prop_layers = [], []
    for _ in range(int(rng.choice(4, p=(0.35, 0.4, 0.2, 0.05)))):
        if figures and rng.uniform() < 0.6:
            # an object in front of (or behind) someone, over a random joint
            i = int(rng.integers(len(figures)))
            fig = figures[i]
            centre = fig.keypoints()[rng.integers(NUM_KEYPOINTS)] + \
                rng.normal(0, 0.1 * fig.body.height, 2)
            size = fig.body.height * rng.uniform(0.15, 0.45)
            layer = layers[i] + (-0.01 if rng.uniform() < 0.8 else 0.01)
        else:
            centre = rng.uniform((0, 0), (width, height))
            size = min(width, height) * rng.uniform(0.1, 0.4)
            layer = float(-np.log(size * 2.5) + rng.normal(0, 0.3))
        props.append(sample_prop(rng, centre, size))
        prop_layers.append(layer)

    light = np.array([rng.uniform(-1, 1), rng.uniform(-1, 0.3),
                      -rng.uniform(0.5, 1.5)])
    return Scene(width, height, figures, props, layers, prop_layers,
                 light / np.linalg.norm(light))


def figure_label(figure_index: int, part: int) -> int:
    """Label-map value of a figure's part (props are negative, background
    0)."""
    return 1 + figure_index * NUM_PARTS + part


def render_scene(scene: Scene, rng: np.random.Generator):
    """Draw ``scene`` far to near over a fresh background, then camera
    effects (exposure, blur, sensor noise).

    Returns:
        tuple: ``image`` ``(H, W, 3)`` uint8 BGR and ``labels`` ``(H, W)``
        int32 (see :func:`figure_label`).
    """
    h, w = scene.height, scene.width
    image = render_background(rng, h, w)
    labels = np.zeros((h, w), np.int32)
    items = [(layer, 0, i) for i, layer in enumerate(scene.figure_layers)]
    items += [(layer, 1, j) for j, layer in enumerate(scene.prop_layers)]
    for _, kind, index in sorted(items, reverse=True):
        if kind == 1:
            draw(image, labels, scene.props[index], -(index + 1), scene.light)
            continue
        shapes = scene.figures[index].shapes()
        for key, part, shape in sorted(shapes, key=lambda s: (-s[0], s[1])):
            draw(image, labels, shape, figure_label(index, part), scene.light)
    image = image * rng.uniform(0.8, 1.2) + rng.uniform(-20, 20)
    sigma = rng.uniform(0, 0.9)
    if sigma > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    image += rng.normal(0, rng.uniform(0, 5), image.shape).astype(np.float32)
    return np.clip(np.round(image), 0, 255).astype(np.uint8), labels


def _solo_area(figure: Figure) -> int:
    """Pixels the figure covers drawn alone on an unbounded canvas."""
    kp = np.stack([p[:2] for p in figure.body.points.values()])
    pad = 2 * figure.body.radii['head']
    lo = np.floor(kp.min(0) - pad)
    size = np.ceil(kp.max(0) + pad - lo).astype(int) + 1
    solo = Figure(figure.body, -lo, figure.appearance)
    canvas = np.zeros((size[1], size[0], 3), np.float32)
    labels = np.zeros((size[1], size[0]), np.int32)
    for key, part, shape in solo.shapes():
        draw(canvas, labels, shape, 1, np.array([0.0, 0.0, -1.0]))
    return int((labels > 0).sum())


def annotate(scene: Scene, labels: np.ndarray) -> List[
        Optional[PersonAnnotation]]:
    """Read every figure's annotation from the rendered ``labels`` map (see
    the module note); None for a figure with no visible pixel."""
    h, w = labels.shape
    owner = np.where(labels > 0, (labels - 1) // NUM_PARTS, -1)
    part = np.where(labels > 0, (labels - 1) % NUM_PARTS, -1)
    people = []
    for i, fig in enumerate(scene.figures):
        mask = owner == i
        area = int(mask.sum())
        if area == 0:
            people.append(None)
            continue
        true_kp = fig.keypoints()
        xy = np.round(true_kp, 2)
        inside = ((xy[:, 0] >= 0) & (xy[:, 0] <= w - 1) & (xy[:, 1] >= 0) &
                  (xy[:, 1] <= h - 1))
        labelled = inside & fig.labelled()
        px = np.clip(np.round(xy).astype(int), 0, [w - 1, h - 1])
        top_owner = owner[px[:, 1], px[:, 0]]
        top_part = part[px[:, 1], px[:, 0]]
        shown = np.array([
            top_owner[k] == i and top_part[k] in KEYPOINT_PARTS[k]
            for k in range(NUM_KEYPOINTS)
        ]) & fig.face_facing()
        vis = np.where(labelled, np.where(shown, 2, 1), 0)
        keypoints = np.concatenate([np.where(labelled[:, None], xy, 0),
                                    vis[:, None]], 1)
        ys, xs = np.nonzero(mask)
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        if labelled.any():
            lab = np.floor(xy[labelled]).astype(int)
            x0, y0 = min(x0, lab[:, 0].min()), min(y0, lab[:, 1].min())
            x1 = max(x1, lab[:, 0].max() + 1)
            y1 = max(y1, lab[:, 1].max() + 1)
        people.append(PersonAnnotation(
            keypoints=keypoints,
            bbox=np.array([x0, y0, x1 - x0, y1 - y0], np.int64),
            area=area,
            mask=mask,
            true_keypoints=true_kp,
            visible_fraction=area / max(_solo_area(fig), 1)))
    return people


def make_scene(rng: np.random.Generator, width: int, height: int,
               max_people: int):
    """Sample, render and annotate one image, keeping what was drawn.

    Returns:
        tuple: the :class:`Scene`, ``image`` ``(H, W, 3)`` uint8 BGR,
        ``labels`` ``(H, W)`` int32 (see :func:`figure_label`) and, per
        figure, its :class:`PersonAnnotation` or None (no visible pixel).
    """
    scene = sample_scene(rng, width, height, max_people)
    image, labels = render_scene(scene, rng)
    return scene, image, labels, annotate(scene, labels)


def make_image(rng: np.random.Generator, width: int, height: int,
               max_people: int):
    """Sample, render and annotate one image.

    Returns:
        tuple: ``image`` ``(H, W, 3)`` uint8 BGR and the list of
        :class:`PersonAnnotation` of the people with visible pixels.
    """
    _, image, _, people = make_scene(rng, width, height, max_people)
    return image, [p for p in people if p is not None]
