"""Occluding objects standing between people and the camera: crates, poles,
balls and boards, as solid shaded shapes.

Note:
    Positions and sizes are image pixels; see :mod:`.primitives` for the
    shapes.
"""
import cv2
import numpy as np

from .primitives import Capsule, Polygon, Sphere


def _colour(rng):
    return rng.uniform(25, 230, 3).astype(np.float32)


def sample_prop(rng: np.random.Generator, centre, size: float):
    """One object around ``centre`` (``(2,)`` pixels) about ``size`` pixels
    large: a :class:`Polygon` (crate, board), :class:`Capsule` (pole) or
    :class:`Sphere` (ball)."""
    centre = np.asarray(centre, np.float64)
    kind = rng.integers(4)
    if kind == 0:  # crate or panel
        wh = size * rng.uniform(0.4, 1.0, 2)
        box = cv2.boxPoints(((float(centre[0]), float(centre[1])),
                             (float(wh[0]), float(wh[1])),
                             float(rng.normal(0, 8))))
        return Polygon(box.astype(np.float64), _colour(rng))
    if kind == 1:  # pole, mostly upright
        angle = np.deg2rad(90 + rng.normal(0, 15))
        half = size * rng.uniform(0.8, 2.0) * np.array([np.cos(angle),
                                                        np.sin(angle)])
        r = size * rng.uniform(0.05, 0.12)
        return Capsule(centre - half, centre + half, r, r, _colour(rng))
    if kind == 2:  # ball
        return Sphere(centre, size * rng.uniform(0.2, 0.45), _colour(rng))
    # board: a long, thin, tilted slab
    box = cv2.boxPoints(((float(centre[0]), float(centre[1])),
                         (float(size * rng.uniform(1.0, 2.0)),
                          float(size * rng.uniform(0.12, 0.3))),
                         float(rng.uniform(-40, 40))))
    return Polygon(box.astype(np.float64), _colour(rng))
