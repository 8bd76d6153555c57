"""Shaded, anti-aliased drawing of the solid shapes figures and objects are
made of: capsules (limbs, poles), spheres (heads, hands, balls) and convex
polygons (torsos, boxes).

Each shape is drawn into a colour image and a label map at once: the colour is
alpha-blended (coverage from the exact distance to the shape's edge, so edges
are smooth), the label is written where the coverage is at least one half.
The label map is what the annotations are read from (which pixels a person
owns, which part is on top at a keypoint), so it must follow the painter's
order of the colour image exactly; both are written by the same call.

Note:
    Coordinates are image pixels, ``x`` to the right, ``y`` down, integer
    values at pixel centres. Shading uses a unit light direction ``(3,)`` in
    the camera frame (``z`` away from the camera) and per-pixel surface normals
    of the solid shape (cylinder, sphere, or a rounded slab for polygons).
    Images are ``(H, W, 3)`` float32 BGR in [0, 255]; label maps ``(H, W)``
    int32.
"""
from dataclasses import dataclass
from typing import Callable, Optional, Sequence, Tuple

import cv2
import numpy as np

AMBIENT = 0.45


@dataclass
class Capsule:
    """A tapered cylinder with round ends from ``p0`` to ``p1`` (pixels),
    radius ``r0`` at ``p0`` and ``r1`` at ``p1``."""
    p0: np.ndarray
    p1: np.ndarray
    r0: float
    r1: float
    colour: np.ndarray


@dataclass
class Sphere:
    """A ball of radius ``r`` pixels around ``centre``. ``paint`` optionally
    recolours it from its per-pixel unit normals: ``paint(normals (N, 3),
    colours (N, 3)) -> colours (N, 3)`` (e.g. a face and hair on a head)."""
    centre: np.ndarray
    r: float
    colour: np.ndarray
    paint: Optional[Callable[[np.ndarray, np.ndarray], np.ndarray]] = None


@dataclass
class Polygon:
    """A convex polygon ``(N, 2)`` (pixels) shaded like a slab with rounded
    edges."""
    points: np.ndarray
    colour: np.ndarray


def _roi(lo, hi, shape) -> Optional[Tuple[slice, slice, np.ndarray,
                                          np.ndarray]]:
    """Pixel window covering ``[lo, hi]`` (``(2,)`` x, y) clipped to the
    image, with the pixel-centre grids ``xs (h, w)`` and ``ys (h, w)``; None
    when it misses the image."""
    h, w = shape
    x0, y0 = max(int(np.floor(lo[0])) - 1, 0), max(int(np.floor(lo[1])) - 1, 0)
    x1 = min(int(np.ceil(hi[0])) + 2, w)
    y1 = min(int(np.ceil(hi[1])) + 2, h)
    if x0 >= x1 or y0 >= y1:
        return None
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    return slice(y0, y1), slice(x0, x1), xs, ys


def _blend(image, labels, window, alpha, colour, label):
    """Alpha-blend ``colour`` (``(h, w, 3)``) into ``image`` and write
    ``label`` where ``alpha >= 0.5``."""
    sy, sx = window
    a = alpha[..., None]
    image[sy, sx] = image[sy, sx] * (1 - a) + colour * a
    labels[sy, sx][alpha >= 0.5] = label


def _lambert(normals, light):
    """Ambient plus diffuse brightness of unit ``normals (..., 3)``."""
    return AMBIENT + (1 - AMBIENT) * np.clip(normals @ light, 0, None)


def draw_capsule(image, labels, cap: Capsule, label: int, light):
    """Draw a :class:`Capsule` (see the module note for the arrays)."""
    p0, p1 = np.asarray(cap.p0, np.float32), np.asarray(cap.p1, np.float32)
    rmax = max(cap.r0, cap.r1)
    roi = _roi(np.minimum(p0, p1) - rmax, np.maximum(p0, p1) + rmax,
               labels.shape)
    if roi is None:
        return
    sy, sx, xs, ys = roi
    axis = p1 - p0
    length2 = float(axis @ axis)
    t = ((xs - p0[0]) * axis[0] + (ys - p0[1]) * axis[1]) / max(length2, 1e-6)
    t = np.clip(t, 0, 1)
    vx, vy = xs - (p0[0] + t * axis[0]), ys - (p0[1] + t * axis[1])
    dist = np.sqrt(vx * vx + vy * vy)
    radius = cap.r0 + (cap.r1 - cap.r0) * t
    alpha = np.clip(radius - dist + 0.5, 0, 1)
    if not alpha.any():
        return
    # surface normal of the swept sphere: in-plane part from the axis, the
    # rest towards the camera (-z)
    nx, ny = vx / radius, vy / radius
    nz = -np.sqrt(np.clip(1 - nx * nx - ny * ny, 0, 1))
    shade = _lambert(np.stack([nx, ny, nz], -1), light)
    _blend(image, labels, (sy, sx), alpha, shade[..., None] * cap.colour,
           label)


def draw_sphere(image, labels, sph: Sphere, label: int, light):
    """Draw a :class:`Sphere` (see the module note for the arrays)."""
    c = np.asarray(sph.centre, np.float32)
    roi = _roi(c - sph.r, c + sph.r, labels.shape)
    if roi is None:
        return
    sy, sx, xs, ys = roi
    nx, ny = (xs - c[0]) / sph.r, (ys - c[1]) / sph.r
    dist = np.sqrt(nx * nx + ny * ny) * sph.r
    alpha = np.clip(sph.r - dist + 0.5, 0, 1)
    if not alpha.any():
        return
    nz = -np.sqrt(np.clip(1 - nx * nx - ny * ny, 0, 1))
    normals = np.stack([nx, ny, nz], -1)
    colour = np.broadcast_to(np.asarray(sph.colour, np.float32),
                             normals.shape)
    if sph.paint is not None:
        colour = sph.paint(normals.reshape(-1, 3),
                           colour.reshape(-1, 3)).reshape(normals.shape)
    shade = _lambert(normals, light)
    _blend(image, labels, (sy, sx), alpha, shade[..., None] * colour, label)


def draw_polygon(image, labels, poly: Polygon, label: int, light):
    """Draw a convex :class:`Polygon` (see the module note for the arrays)."""
    pts = np.asarray(poly.points, np.float32)
    roi = _roi(pts.min(0), pts.max(0), labels.shape)
    if roi is None:
        return
    sy, sx, xs, ys = roi
    h, w = xs.shape
    origin = np.array([xs[0, 0], ys[0, 0]], np.float32)
    # rasterise at 1/16 pixel precision; LINE_AA gives the edge coverage
    mask = np.zeros((h, w), np.uint8)
    fixed = np.round((pts - origin) * 16).astype(np.int32)
    cv2.fillConvexPoly(mask, fixed, 255, cv2.LINE_AA, 4)
    alpha = mask.astype(np.float32) / 255
    if not alpha.any():
        return
    # rounded slab: the surface turns away near the edges, so the normal's
    # in-plane part follows the gradient of the distance to the outline
    inside = (mask >= 128).astype(np.uint8)
    dist = cv2.distanceTransform(np.pad(inside, 1), cv2.DIST_L2, 3)[1:-1, 1:-1]
    bevel = max(2.0, 0.35 * float(dist.max()))
    gy, gx = np.gradient(dist)
    falloff = np.clip(1 - dist / bevel, 0, 1)
    nx, ny = -gx * falloff, -gy * falloff
    nz = -np.sqrt(np.clip(1 - nx * nx - ny * ny, 0.05, 1))
    normals = np.stack([nx, ny, nz], -1)
    normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
    shade = _lambert(normals, light)
    _blend(image, labels, (sy, sx), alpha, shade[..., None] * poly.colour,
           label)


def draw(image, labels, shape, label: int, light: Sequence[float]):
    """Draw any of :class:`Capsule`, :class:`Sphere`, :class:`Polygon`."""
    light = np.asarray(light, np.float32)
    if isinstance(shape, Capsule):
        draw_capsule(image, labels, shape, label, light)
    elif isinstance(shape, Sphere):
        draw_sphere(image, labels, shape, label, light)
    elif isinstance(shape, Polygon):
        draw_polygon(image, labels, shape, label, light)
    else:
        raise TypeError(f'draw: cannot draw a {type(shape).__name__}')
