"""A person figure: a posed :class:`~.body_model.Body` dressed and turned into
solid shapes, plus the rules that say when each keypoint is visible.

Appearance: skin tone, hair, shirt (long or short sleeves) and trousers (long
or shorts), shoes; the head carries a face (eyes, nose) on its front and hair
on its back and top, and the shirt has a contrasting button strip down its
front. Those are the cues that tell a figure's front from its back, and so its
left side from its right (see :mod:`.body_model`).

Note:
    A figure's parts are numbered by ``PARTS``; keypoint ``k`` counts as
    visible (COCO ``v=2``) when the part on top of its pixel is one of
    ``KEYPOINT_PARTS[k]`` of the same figure and, for the face keypoints, the
    point's surface faces the camera. Otherwise (hidden by another person, an
    object or the figure's own body) it is labelled but occluded (``v=1``).
    The nose and eyes of a head turned away from the camera are not labelled
    at all (``v=0``), as annotators leave a face they see from behind: no
    image evidence places them.
"""
from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from .body_model import Body
from .coco_person import KEYPOINT_NAMES
from .primitives import Capsule, Polygon, Sphere

PARTS = ('head', 'neck', 'torso', 'left_upper_arm', 'right_upper_arm',
         'left_forearm', 'right_forearm', 'left_hand', 'right_hand',
         'left_thigh', 'right_thigh', 'left_shin', 'right_shin', 'left_foot',
         'right_foot', 'shirt_front')
NUM_PARTS = len(PARTS)
_P = {name: i for i, name in enumerate(PARTS)}


def _keypoint_parts():
    parts = []
    for name in KEYPOINT_NAMES:
        if name in ('nose', ) or name.endswith(('_eye', '_ear')):
            parts.append(('head', ))
            continue
        side, joint = name.split('_')
        parts.append({
            'shoulder': ('torso', 'shirt_front', f'{side}_upper_arm'),
            'elbow': (f'{side}_upper_arm', f'{side}_forearm'),
            'wrist': (f'{side}_forearm', f'{side}_hand'),
            'hip': ('torso', f'{side}_thigh'),
            'knee': (f'{side}_thigh', f'{side}_shin'),
            'ankle': (f'{side}_shin', f'{side}_foot'),
        }[joint])
    return tuple(frozenset(_P[p] for p in names) for names in parts)


# for each COCO keypoint: the parts that show it when they are on top
KEYPOINT_PARTS = _keypoint_parts()
# face keypoints: visible only when their surface normal faces the camera
FACE_KEYPOINTS = (0, 1, 2, 3, 4)
# cos of the angle between a face keypoint's normal and the view ray
# beyond which it is hidden: ears at the silhouette (frontal view) still count
FACE_VISIBLE_COS = (0.15, 0.15, 0.15, -0.2, -0.2)
# ... and beyond which it is not labelled (the back of the head; ears are
# always labelled: they sit on the head's sides)
FACE_LABELLED_COS = (-0.35, -0.35, -0.35, -1.0, -1.0)

SKIN_TONES = np.array([  # BGR
    [200, 220, 250], [170, 200, 240], [140, 180, 225], [110, 150, 200],
    [80, 115, 170], [55, 80, 125], [40, 60, 95]], np.float32)
HAIR_COLOURS = np.array([
    [25, 25, 30], [30, 45, 70], [40, 80, 130], [90, 160, 210],
    [170, 170, 175], [40, 70, 160]], np.float32)


def _random_colour(rng, sat=(0.25, 1.0), val=(0.2, 1.0)):
    """A BGR colour from a uniform hue and the given saturation/value."""
    h, s, v = rng.uniform(0, 6), rng.uniform(*sat), rng.uniform(*val)
    i, f = int(h) % 6, h - int(h)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    r, g, b = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v),
               (v, p, q)][i]
    return np.array([b, g, r], np.float32) * 255


@dataclass
class Appearance:
    """Colours (BGR, [0, 255]) and cut of a figure's clothes."""
    skin: np.ndarray
    hair: np.ndarray
    shirt: np.ndarray
    trousers: np.ndarray
    shoes: np.ndarray
    strip: np.ndarray
    long_sleeves: bool
    long_trousers: bool


def sample_appearance(rng: np.random.Generator) -> Appearance:
    """Draw skin tone, hair and clothes."""
    skin = SKIN_TONES[rng.integers(len(SKIN_TONES))] * rng.uniform(0.9, 1.1)
    shirt = _random_colour(rng)
    # the strip contrasts with the shirt in brightness so it shows on any hue
    strip = np.full(3, 235.0 if shirt.mean() < 120 else 30.0, np.float32)
    if rng.uniform() < 0.5:
        strip = strip * 0.6 + _random_colour(rng, (0.5, 1), (0.5, 1)) * 0.4
    trousers = (_random_colour(rng, (0.3, 0.8), (0.15, 0.5))
                if rng.uniform() < 0.6 else _random_colour(rng))
    return Appearance(
        skin=np.clip(skin, 0, 255),
        hair=HAIR_COLOURS[rng.integers(len(HAIR_COLOURS))] *
        rng.uniform(0.8, 1.15),
        shirt=shirt,
        trousers=trousers,
        shoes=_random_colour(rng, (0, 0.5), (0.05, 0.4)),
        strip=strip,
        long_sleeves=bool(rng.uniform() < 0.5),
        long_trousers=bool(rng.uniform() < 0.75))


@dataclass
class Figure:
    """A person placed in the image.

    Attributes:
        body (Body): the posed body, camera frame relative to its pelvis.
        offset (np.ndarray): ``(2,)`` image position (pixels) of the pelvis.
        appearance (Appearance): colours.
    """
    body: Body
    offset: np.ndarray
    appearance: Appearance

    def keypoints(self) -> np.ndarray:
        """``(17, 2)`` keypoint positions in image pixels (anywhere, also
        outside the image)."""
        return np.stack([self.body.points[k][:2] for k in KEYPOINT_NAMES]) + \
            self.offset

    def _face_cos(self) -> np.ndarray:
        """``(5,)`` cos between each face keypoint's surface normal and the
        direction to the camera (``-Z``)."""
        head = self.body.points['head']
        normals = np.stack([self.body.points[KEYPOINT_NAMES[k]] - head
                            for k in FACE_KEYPOINTS])
        return -normals[:, 2] / np.linalg.norm(normals, axis=1)

    def face_facing(self) -> np.ndarray:
        """``(17,)`` bool: False for face keypoints turned away from the
        camera (by ``FACE_VISIBLE_COS``), True for all others."""
        facing = np.ones(len(KEYPOINT_NAMES), bool)
        facing[list(FACE_KEYPOINTS)] = self._face_cos() > FACE_VISIBLE_COS
        return facing

    def labelled(self) -> np.ndarray:
        """``(17,)`` bool: False for the nose and eyes on the back of the head
        (by ``FACE_LABELLED_COS``), True for all others."""
        labelled = np.ones(len(KEYPOINT_NAMES), bool)
        labelled[list(FACE_KEYPOINTS)] = \
            self._face_cos() > FACE_LABELLED_COS
        return labelled

    def shapes(self) -> List[Tuple[float, int, object]]:
        """The solid shapes, as ``(depth key, part index, shape)``; drawn in
        decreasing key (far to near) they give the figure's self-occlusion."""
        b, a = self.body, self.appearance
        r, pts = b.radii, b.points
        xy = lambda name: pts[name][:2] + self.offset  # noqa: E731
        z = lambda name: float(pts[name][2])  # noqa: E731
        out = []

        def limb(part, j0, j1, r0, r1, colour):
            out.append(((z(j0) + z(j1)) / 2, _P[part],
                        Capsule(xy(j0), xy(j1), r0, r1, colour)))

        # the torso: a tapered slab from above the shoulders to below the
        # hips, its outline the hull of the slab's eight projected corners
        left, up, fwd = b.torso_axes
        hip_left, _, hip_fwd = b.pelvis_axes
        top = pts['neck'] + 0.035 * b.height * up
        bottom = pts['pelvis'] - 0.05 * b.height * up
        corners = []
        for centre, hw, hd, lateral, front in (
                (top, b.torso_half_widths[0], b.torso_half_depths[0], left,
                 fwd),
                (bottom, b.torso_half_widths[1], b.torso_half_depths[1],
                 hip_left, hip_fwd)):
            for s1 in (-1, 1):
                for s2 in (-1, 1):
                    corners.append(centre + s1 * hw * lateral +
                                   s2 * hd * front)
        corners = np.array(corners)[:, :2] + self.offset
        torso_key = float(pts['pelvis'][2] + pts['neck'][2]) / 2 + \
            0.5 * b.torso_half_depths[0]
        out.append((torso_key, _P['torso'],
                    Polygon(_convex_hull(corners), a.shirt)))
        # button strip down the shirt front, seen only from the front
        if -fwd[2] > 0.2:
            f0 = pts['neck'] - 0.01 * b.height * up + \
                b.torso_half_depths[0] * fwd
            f1 = pts['pelvis'] + 0.02 * b.height * up + \
                b.torso_half_depths[1] * fwd
            w = 0.018 * b.height * min(1.0, -fwd[2] * 1.5)
            out.append((torso_key - 1e-3, _P['shirt_front'],
                        Capsule(f0[:2] + self.offset, f1[:2] + self.offset,
                                w, w, a.strip)))

        out.append((z('neck') + 0.3 * r['head'], _P['neck'],
                    Capsule(xy('neck'), xy('head'), r['neck'], r['neck'],
                            a.skin)))
        out.append((z('head'), _P['head'],
                    Sphere(xy('head'), r['head'], a.skin,
                           paint=self._paint_head)))
        sleeve = a.shirt if a.long_sleeves else a.skin
        leg = a.trousers if a.long_trousers else a.skin
        for side in ('left', 'right'):
            limb(f'{side}_upper_arm', f'{side}_shoulder', f'{side}_elbow',
                 r['upper_arm'], r['upper_arm'] * 0.9, a.shirt)
            limb(f'{side}_forearm', f'{side}_elbow', f'{side}_wrist',
                 r['forearm'], r['forearm'] * 0.85, sleeve)
            out.append((z(f'{side}_hand'), _P[f'{side}_hand'],
                        Sphere(xy(f'{side}_hand'), r['hand'], a.skin)))
            limb(f'{side}_thigh', f'{side}_hip', f'{side}_knee', r['thigh'],
                 r['thigh'] * 0.8, a.trousers)
            limb(f'{side}_shin', f'{side}_knee', f'{side}_ankle', r['shin'],
                 r['shin'] * 0.75, leg)
            limb(f'{side}_foot', f'{side}_ankle', f'{side}_toe', r['foot'],
                 r['foot'] * 0.9, a.shoes)
        return out

    def _paint_head(self, normals, colours):
        """Face and hair on the head sphere from its unit ``normals (N, 3)``
        (camera frame) and base ``colours (N, 3)``."""
        _, up, fwd = self.body.head_axes
        a = self.appearance
        out = colours.copy()
        facing = normals @ fwd
        hair = (facing < -0.05) | (normals @ up > 0.55 - 0.3 * facing)
        out[hair] = a.hair
        pts, centre = self.body.points, self.body.points['head']
        for name, size, colour in (('left_eye', 0.2, (25, 25, 25)),
                                   ('right_eye', 0.2, (25, 25, 25)),
                                   ('nose', 0.22, a.skin * 0.7)):
            n = (pts[name] - centre) / np.linalg.norm(pts[name] - centre)
            near = np.linalg.norm(normals - n, axis=1) < size
            out[near] = colour
        return out


def _convex_hull(points: np.ndarray) -> np.ndarray:
    """Convex hull ``(M, 2)`` of ``points (N, 2)``, counter-clockwise
    (Andrew's monotone chain; deterministic for ties)."""
    pts = sorted(map(tuple, np.round(points, 4)))
    if len(pts) < 3:
        return np.array(pts)

    def half(seq):
        hull = []
        for p in seq:
            while len(hull) >= 2 and ((hull[-1][0] - hull[-2][0]) *
                                      (p[1] - hull[-2][1]) -
                                      (hull[-1][1] - hull[-2][1]) *
                                      (p[0] - hull[-2][0])) <= 0:
                hull.pop()
            hull.append(p)
        return hull

    lower, upper = half(pts), half(reversed(pts))
    return np.array(lower[:-1] + upper[:-1], np.float64)
