"""An articulated 3D human body: proportions, sampled poses, forward kinematics.

The body is a kinematic tree of rigid segments (torso, neck, head, upper arms,
forearms, hands, thighs, shins, feet) whose lengths follow anthropometric
ratios of the standing height (Drillis & Contini's segment table, rounded), with
a per-person variation. Joint angles are drawn from a few pose families
(standing, walking/running, gesturing, sitting/crouching, free) within human
joint limits, and the whole body is turned (yaw: front, back and profile
views), tilted towards the camera (pitch) and rolled in the image plane.

Note:
    Coordinates: the camera frame, in pixels, orthographic: ``X`` to the image
    right, ``Y`` down the image, ``Z`` away from the camera (larger is farther);
    a point projects to the image at ``(X, Y)`` plus the figure's position.
    Inside the model, segments are built in the body frame ``(left, up,
    forward)`` of the person, which the yaw maps to the camera frame. A person
    facing the camera (yaw 0) has their left side at the image right, as in
    real photographs, so left and right keypoints are told apart by which way
    the figure faces (face and shirt front versus hair and back), a cue that
    survives horizontal flipping with COCO's flip pairs.
"""
from dataclasses import dataclass, field
from typing import Dict

import numpy as np

# Segment lengths and radii as fractions of the standing height.
TORSO_LENGTH = 0.29  # hip-joint centre to shoulder-joint centre
NECK_LENGTH = 0.10  # shoulder centre to head centre
HEAD_RADIUS = 0.062
SHOULDER_HALF_WIDTH = 0.115
HIP_HALF_WIDTH = 0.07
UPPER_ARM = 0.186
FOREARM = 0.146
THIGH = 0.245
SHIN = 0.246
FOOT = 0.10
RADII = dict(
    neck=0.026, upper_arm=0.029, forearm=0.023, hand=0.025, thigh=0.043,
    shin=0.032, foot=0.023)

POSE_FAMILIES = ('stand', 'walk', 'gesture', 'sit', 'free')
POSE_FAMILY_PROBS = (0.32, 0.30, 0.23, 0.10, 0.05)


@dataclass
class Body:
    """A posed body in the camera frame (pixels, relative to the pelvis).

    Attributes:
        height (float): standing height in pixels.
        points (dict[str, np.ndarray]): named 3D points ``(3,)``: the 17 COCO
            keypoints (``'nose'``, ``'left_shoulder'``, ...) and the
            construction points ``'pelvis'``, ``'neck'``, ``'head'`` (head
            centre), ``'left_hand'``/``'right_hand'`` (hand centres),
            ``'left_toe'``/``'right_toe'`` (foot tips).
        head_axes (np.ndarray): ``(3, 3)`` rows ``left, up, forward`` of the
            head, unit vectors in the camera frame.
        torso_axes (np.ndarray): ``(3, 3)`` rows ``left, up, forward`` of the
            upper body.
        pelvis_axes (np.ndarray): ``(3, 3)`` rows ``left, up, forward`` of the
            hips (the body frame itself).
        radii (dict[str, float]): segment radii in pixels (``RADII`` keys plus
            ``'head'``).
        torso_half_widths (tuple[float, float]): half widths in pixels at the
            shoulders and at the hips.
        torso_half_depths (tuple[float, float]): half thicknesses in pixels at
            the shoulders and at the hips.
        family (str): the pose family it was drawn from.
    """
    height: float
    points: Dict[str, np.ndarray]
    head_axes: np.ndarray
    torso_axes: np.ndarray
    pelvis_axes: np.ndarray
    radii: Dict[str, float]
    torso_half_widths: tuple
    torso_half_depths: tuple
    family: str = field(default='stand')


def _rot_x(deg):
    """Rotation about the first axis; positive turns the second axis (up in
    the body frame) towards the third (forward)."""
    a = np.deg2rad(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def _rot_y(deg):
    """Rotation about the second axis; positive turns the third axis
    (forward) towards the first (left)."""
    a = np.deg2rad(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def _rot_z(deg):
    """Rotation about the third axis; positive turns the first axis towards
    the second."""
    a = np.deg2rad(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def _limb_direction(side, polar, azimuth):
    """Unit direction ``(3,)`` of a limb hanging from its joint, body frame.

    ``polar`` (degrees) is measured from straight down (0) to straight up
    (180); negative values swing the limb backwards. ``azimuth`` (degrees)
    turns it from the person's side (0) to the front (90) and across the body
    (> 90). ``side`` is +1 for the left limb, -1 for the right one.
    """
    b, g = np.deg2rad(polar), np.deg2rad(azimuth)
    return np.array([side * np.sin(b) * np.cos(g), -np.cos(b),
                     np.sin(b) * np.sin(g)])


def _bend(direction, towards, angle, twist=0.0):
    """Turn ``direction`` by ``angle`` degrees towards ``towards`` (made
    perpendicular to it), after twisting that bend direction by ``twist``
    degrees about ``direction``: how an elbow or a knee folds."""
    perp = towards - direction * float(direction @ towards)
    norm = np.linalg.norm(perp)
    if norm < 1e-6:  # the limb points along the bend direction: any normal
        perp = np.cross(direction, [1.0, 0.0, 0.0])
        norm = np.linalg.norm(perp)
    perp = perp / norm
    t = np.deg2rad(twist)
    perp = perp * np.cos(t) + np.cross(direction, perp) * np.sin(t)
    a = np.deg2rad(angle)
    return direction * np.cos(a) + perp * np.sin(a)


def sample_pose(rng: np.random.Generator) -> dict:
    """Draw joint angles (degrees) from one of ``POSE_FAMILIES``.

    Returns:
        dict: ``family``; ``lean``, ``side_lean``, ``twist`` of the upper
        body; ``head_yaw``, ``head_pitch``; per side ``'left'``/``'right'``:
        arm ``(polar, azimuth, elbow, twist)`` and leg
        ``(polar, azimuth, knee)``.
    """
    u = rng.uniform
    family = POSE_FAMILIES[rng.choice(len(POSE_FAMILIES), p=POSE_FAMILY_PROBS)]
    pose = dict(family=family, head_yaw=u(-45, 45), head_pitch=u(-20, 25))
    if family == 'walk':
        amp, phase = u(15, 45), u(0, 2 * np.pi)
        pose.update(lean=u(0, 15), side_lean=u(-4, 4), twist=u(-10, 10))
        for side, sign in (('left', 1), ('right', -1)):
            swing = sign * amp * np.sin(phase)
            knee = u(5, 20) + (1.6 * -swing if swing < 0 else 0.3 * swing)
            pose[side + '_leg'] = (swing, u(80, 100), knee)
            pose[side + '_arm'] = (-0.8 * swing, u(75, 100), u(10, 90),
                                   u(-20, 30))
        return pose
    if family == 'sit':
        pose.update(lean=u(0, 30), side_lean=u(-8, 8), twist=u(-15, 15))
        for side in ('left', 'right'):
            pose[side + '_leg'] = (u(55, 105), u(65, 105), u(50, 135))
            pose[side + '_arm'] = (u(10, 70), u(0, 100), u(20, 110),
                                   u(-30, 60))
        return pose
    if family == 'stand':
        pose.update(lean=u(-5, 10), side_lean=u(-6, 6), twist=u(-10, 10))
        for side in ('left', 'right'):
            pose[side + '_leg'] = (u(-5, 15), u(0, 90), u(0, 15))
            pose[side + '_arm'] = (u(5, 40), u(-20, 70), u(0, 50),
                                   u(-30, 60))
        return pose
    if family == 'gesture':
        pose.update(lean=u(-10, 20), side_lean=u(-12, 12), twist=u(-25, 25))
        for side in ('left', 'right'):
            pose[side + '_leg'] = (u(-5, 25), u(0, 90), u(0, 25))
            pose[side + '_arm'] = (u(40, 175), u(-30, 130), u(0, 130),
                                   u(-60, 90))
        return pose
    pose.update(lean=u(-15, 35), side_lean=u(-15, 15), twist=u(-30, 30))
    for side in ('left', 'right'):
        azimuth = u(0, 110)
        polar = u(-30, 100) if azimuth > 50 else u(-5, 60)
        pose[side + '_leg'] = (polar, azimuth, u(0, 140))
        pose[side + '_arm'] = (u(-40, 175), u(-30, 140), u(0, 145),
                               u(-60, 90))
    return pose


def sample_view(rng: np.random.Generator) -> dict:
    """Draw the body's orientation to the camera (degrees): ``yaw`` (0 faces
    the camera, 180 shows the back; front views are the most common, as in
    COCO: 65 % front, 20 % back, 15 % profile), ``pitch`` (camera above or
    below) and ``roll`` (in-plane)."""
    u = rng.uniform
    kind = rng.choice(3, p=(0.65, 0.2, 0.15))
    if kind == 0:
        yaw = u(-60, 60)
    elif kind == 1:
        yaw = 180 + u(-60, 60)
    else:
        yaw = (90 + u(-30, 30)) * rng.choice((-1, 1))
    roll = rng.normal(0, 6) if rng.uniform() < 0.9 else u(-40, 40)
    return dict(yaw=yaw, pitch=u(-12, 12), roll=roll)


def build_body(height: float, pose: dict, view: dict,
               rng: np.random.Generator) -> Body:
    """Forward kinematics: place every segment of a person of ``height``
    pixels in ``pose`` (see :func:`sample_pose`) seen from ``view`` (see
    :func:`sample_view`). ``rng`` draws the person's own proportions (segment
    lengths within +-5 %, build, head size)."""
    seg = lambda frac: frac * height * rng.normal(1.0, 0.025)  # noqa: E731
    build = rng.uniform(0.8, 1.25)
    head_r = HEAD_RADIUS * height * rng.uniform(0.92, 1.12)

    pts = {'pelvis': np.zeros(3)}
    # upper-body frame: lean forward, bend sideways, twist against the hips
    upper = (_rot_z(pose['side_lean']) @ _rot_x(pose['lean']) @
             _rot_y(pose['twist']))
    left, up, fwd = upper[:, 0], upper[:, 1], upper[:, 2]
    pts['neck'] = pts['pelvis'] + seg(TORSO_LENGTH) * up
    shoulder_w = seg(SHOULDER_HALF_WIDTH)
    hip_w = seg(HIP_HALF_WIDTH)
    for side, sign in (('left', 1), ('right', -1)):
        pts[side + '_shoulder'] = (pts['neck'] + sign * shoulder_w * left -
                                   0.015 * height * up)
        pts[side + '_hip'] = np.array([sign * hip_w, 0.0, 0.0])

    head = upper @ _rot_y(pose['head_yaw']) @ _rot_x(pose['head_pitch'])
    h_left, h_up, h_fwd = head[:, 0], head[:, 1], head[:, 2]
    pts['head'] = (pts['neck'] + seg(NECK_LENGTH) * up + head_r * 0.25 * h_up +
                   0.2 * head_r * h_fwd)
    on_head = lambda v: pts['head'] + head_r * (  # noqa: E731
        v / np.linalg.norm(v)) @ np.stack([h_left, h_up, h_fwd])
    pts['nose'] = on_head(np.array([0.0, -0.25, 1.0]))
    for side, sign in (('left', 1), ('right', -1)):
        pts[side + '_eye'] = on_head(np.array([sign * 0.38, 0.12, 0.92]))
        pts[side + '_ear'] = on_head(np.array([sign * 1.0, -0.05, -0.12]))

    for side, sign in (('left', 1), ('right', -1)):
        polar, azimuth, elbow, twist = pose[side + '_arm']
        d_up = upper @ _limb_direction(sign, polar, azimuth)
        pts[side + '_elbow'] = pts[side + '_shoulder'] + seg(UPPER_ARM) * d_up
        d_fore = _bend(d_up, fwd, elbow, sign * twist)
        pts[side + '_wrist'] = pts[side + '_elbow'] + seg(FOREARM) * d_fore
        pts[side + '_hand'] = pts[side + '_wrist'] + 0.045 * height * d_fore

        polar, azimuth, knee = pose[side + '_leg']
        d_thigh = _limb_direction(sign, polar, azimuth)
        pts[side + '_knee'] = pts[side + '_hip'] + seg(THIGH) * d_thigh
        d_shin = _bend(d_thigh, np.array([0.0, 0.0, -1.0]), knee)
        pts[side + '_ankle'] = pts[side + '_knee'] + seg(SHIN) * d_shin
        d_foot = _bend(d_shin, np.array([0.0, 0.0, 1.0]), 80.0)
        pts[side + '_toe'] = pts[side + '_ankle'] + seg(FOOT) * d_foot

    # body frame (left, up, forward) -> camera frame (X right, Y down, Z far)
    yaw = np.deg2rad(view['yaw'])
    to_camera = np.array([[np.cos(yaw), 0.0, np.sin(yaw)],
                          [0.0, -1.0, 0.0],
                          [np.sin(yaw), 0.0, -np.cos(yaw)]])
    # pitch about the camera X axis, then roll in the image plane
    rot = _rot_z(view['roll']) @ _rot_x(view['pitch']) @ to_camera
    points = {k: rot @ v for k, v in pts.items()}
    radii = {k: v * height * build for k, v in RADII.items()}
    radii['head'] = head_r
    return Body(
        height=height,
        points=points,
        head_axes=(rot @ head).T,
        torso_axes=(rot @ upper).T,
        pelvis_axes=rot.T,
        radii=radii,
        torso_half_widths=(shoulder_w + 0.7 * radii['upper_arm'],
                           hip_w + 0.8 * radii['thigh']),
        torso_half_depths=(0.065 * height * build, 0.07 * height * build),
        family=pose['family'])
