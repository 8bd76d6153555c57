"""Textured backgrounds: a room or an outdoor scene made of a horizon split,
colour gradients, multi-scale noise, floor patterns and clutter (shapes, some
of them limb-like, that a pose model must learn to ignore).

Note:
    Returns ``(H, W, 3)`` float32 BGR images in [0, 255]. Everything is drawn
    from the ``numpy.random.Generator`` passed in, nothing else.
"""
import cv2
import numpy as np


def _noise(rng, height, width, scale):
    """Smooth value noise ``(H, W)`` in about [-1, 1] with features of about
    ``scale`` pixels."""
    gh, gw = max(2, int(height / scale) + 2), max(2, int(width / scale) + 2)
    grid = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
    return cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)


def _colour(rng):
    return rng.uniform(20, 235, 3).astype(np.float32)


def _gradient(rng, height, width):
    """A linear blend ``(H, W, 3)`` between two colours at a random angle."""
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    t = (xs * np.cos(angle) + ys * np.sin(angle))
    t = (t - t.min()) / max(float(np.ptp(t)), 1.0)
    c0, c1 = _colour(rng), _colour(rng)
    return c0 + t[..., None] * (c1 - c0)


def _pattern(rng, height, width):
    """Stripes or tiles ``(H, W)`` in [0, 1]."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    period = rng.uniform(8, 40)
    angle = rng.uniform(0, np.pi)
    u = xs * np.cos(angle) + ys * np.sin(angle)
    if rng.uniform() < 0.5:
        return 0.5 + 0.5 * np.sin(2 * np.pi * u / period)
    v = -xs * np.sin(angle) + ys * np.cos(angle)
    return ((np.floor(u / period) + np.floor(v / period)) % 2).astype(
        np.float32)


def _clutter(rng, image, count):
    """Draw ``count`` random shapes (boxes, discs, lines, limb-like sticks)
    straight into ``image``."""
    h, w = image.shape[:2]
    for _ in range(count):
        colour = tuple(float(c) for c in _colour(rng))
        kind = rng.integers(4)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        size = rng.uniform(0.04, 0.3) * min(h, w)
        if kind == 0:
            box = cv2.boxPoints(((cx, cy), (size, rng.uniform(0.3, 1.5) * size),
                                 rng.uniform(0, 180)))
            cv2.fillConvexPoly(image, np.round(box * 16).astype(np.int32),
                               colour, cv2.LINE_AA, 4)
        elif kind == 1:
            cv2.circle(image, (int(cx * 16), int(cy * 16)), int(size * 8),
                       colour, -1, cv2.LINE_AA, 4)
        else:
            # sticks as thick as limbs, sometimes bent like one
            angle = rng.uniform(0, 2 * np.pi)
            thick = max(2, int(rng.uniform(0.015, 0.05) * min(h, w)))
            p0 = np.array([cx, cy])
            p1 = p0 + size * np.array([np.cos(angle), np.sin(angle)])
            pts = [p0, p1]
            if kind == 3:
                angle += rng.uniform(-2, 2)
                pts.append(p1 + size * np.array([np.cos(angle),
                                                 np.sin(angle)]))
            cv2.polylines(image, [np.round(np.array(pts) * 16).astype(
                np.int32)], False, colour, thick, cv2.LINE_AA, 4)


def render_background(rng: np.random.Generator, height: int,
                      width: int) -> np.ndarray:
    """A textured background ``(H, W, 3)`` float32 BGR in [0, 255]."""
    image = _gradient(rng, height, width)
    if rng.uniform() < 0.6:  # horizon: a floor or ground below
        horizon = int(rng.uniform(0.25, 0.75) * height)
        ground = _gradient(rng, height - horizon, width)
        if rng.uniform() < 0.5:
            pattern = _pattern(rng, height - horizon, width)[..., None]
            ground = ground * (0.75 + 0.25 * pattern)
        image[horizon:] = ground
    # multi-scale noise texture, tinted
    tex = np.zeros((height, width), np.float32)
    for scale, weight in ((64, 1.0), (16, 0.5), (4, 0.25)):
        tex += weight * _noise(rng, height, width, scale * rng.uniform(0.6,
                                                                       1.5))
    tint = rng.uniform(0.5, 1.0, 3).astype(np.float32)
    image += rng.uniform(5, 25) * tex[..., None] * tint
    _clutter(rng, image, int(rng.integers(0, 7)))
    return np.clip(image, 0, 255)
