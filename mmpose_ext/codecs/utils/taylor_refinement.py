"""DARK's second-order Taylor step ``mu = m - H(m)^-1 g(m)``, batched in torch.

DARK (Zhang et al., CVPR 2020, Eq. 9) expands the log-heatmap around its
maximum m and moves to the stationary point of the quadratic model. The
derivatives are finite differences of the (modulated) log-heatmap:

- ``'dark'`` stencil (MMPose's ``refine_keypoints_dark`` and the DARK code):
  first derivatives with step 1, second derivatives with step 2, 13 points
  within +-2 pixels; peaks within 2 pixels of the border are not refined;
- ``'udp'`` stencil (MMPose's ``refine_keypoints_dark_udp`` and the UDP
  code): all steps 1, 7 points within +-1 pixel, read with edge replication
  at the border;
- the 1-D stencil of MMPose's ``refine_simcc_dark`` (step 1 and step 2, edge
  replication) for SimDR vectors.

All are exact for a quadratic, i.e. for the log of a Gaussian.

Guards added to MMPose's (see docs/codecs.md): the step is taken only where
the Hessian is negative definite (a maximum of the quadratic model exists;
saddles and flat maps keep the integer maximum) and only for maps with a
positive maximum (the logarithm exists), and the refined location is kept
within the map (half a pixel beyond the border pixels at most). The step is
not limited otherwise: with a wide or noisy peak the integer maximum can be
two or more pixels from the true one, and the step has to travel that far.

Note:
    - batch size: B, keypoint number: K, heatmap size: [W, H]
    - all locations are in heatmap pixels (bins for 1-D vectors)
"""
from functools import lru_cache
from typing import Optional, Tuple

import torch
from torch import Tensor

from .modulation import modulated_log_values

# (dx, dy) offsets of the stencils; the derivative functions index into them
DARK_STENCIL = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (2, 0), (-2, 0),
                (0, 2), (0, -2), (1, 1), (-1, 1), (1, -1), (-1, -1))
UDP_STENCIL = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1))
SIMCC_STENCIL = ((0, 0), (1, 0), (-1, 0), (2, 0), (-2, 0))


def dark_derivatives(v: Tensor) -> Tuple[Tensor, Tensor]:
    """Gradient and Hessian from values on :data:`DARK_STENCIL`.

    Args:
        v (Tensor): Values in shape (..., 13), ordered as the stencil

    Returns:
        tuple: gradient (..., 2) and Hessian (..., 2, 2)
    """
    dx = 0.5 * (v[..., 1] - v[..., 2])
    dy = 0.5 * (v[..., 3] - v[..., 4])
    dxx = 0.25 * (v[..., 5] - 2 * v[..., 0] + v[..., 6])
    dyy = 0.25 * (v[..., 7] - 2 * v[..., 0] + v[..., 8])
    dxy = 0.25 * (v[..., 9] - v[..., 11] - v[..., 10] + v[..., 12])
    return _pack(dx, dy, dxx, dxy, dyy)


def udp_derivatives(v: Tensor) -> Tuple[Tensor, Tensor]:
    """Gradient and Hessian from values on :data:`UDP_STENCIL`.

    Args:
        v (Tensor): Values in shape (..., 7), ordered as the stencil

    Returns:
        tuple: gradient (..., 2) and Hessian (..., 2, 2)
    """
    i, ix1, ix1_, iy1, iy1_, ix1y1, ix1_y1_ = v.unbind(-1)
    dx = 0.5 * (ix1 - ix1_)
    dy = 0.5 * (iy1 - iy1_)
    dxx = ix1 - 2 * i + ix1_
    dyy = iy1 - 2 * i + iy1_
    dxy = 0.5 * (ix1y1 - ix1 - iy1 + 2 * i - ix1_ - iy1_ + ix1_y1_)
    return _pack(dx, dy, dxx, dxy, dyy)


def _pack(dx, dy, dxx, dxy, dyy) -> Tuple[Tensor, Tensor]:
    grad = torch.stack((dx, dy), dim=-1)
    hess = torch.stack((torch.stack((dxx, dxy), dim=-1),
                        torch.stack((dxy, dyy), dim=-1)), dim=-2)
    return grad, hess


def taylor_step(grad: Tensor, hess: Tensor) -> Tuple[Tensor, Tensor]:
    """``-H^-1 g`` where H is negative definite, else zero.

    Args:
        grad (Tensor): Gradients in shape (..., 2)
        hess (Tensor): Hessians in shape (..., 2, 2)

    Returns:
        tuple:
        - step (Tensor): (dx, dy) in shape (..., 2)
        - ok (Tensor): bool mask in shape (...): a step was taken
    """
    a, b, d = hess[..., 0, 0], hess[..., 0, 1], hess[..., 1, 1]
    det = a * d - b * b
    ok = (a < 0) & (det > 0)  # False for NaN too
    safe_det = torch.where(ok, det, torch.ones_like(det))
    # closed-form inverse of [[a, b], [b, d]]
    step_x = -(d * grad[..., 0] - b * grad[..., 1]) / safe_det
    step_y = -(a * grad[..., 1] - b * grad[..., 0]) / safe_det
    step = torch.stack((step_x, step_y), dim=-1)
    ok = ok & torch.isfinite(step).all(dim=-1)
    return torch.where(ok[..., None], step, torch.zeros_like(step)), ok


def taylor_step_1d(v: Tensor) -> Tuple[Tensor, Tensor]:
    """1-D step ``-f'/f''`` from values on :data:`SIMCC_STENCIL`, taken where
    ``f'' < 0``.

    Args:
        v (Tensor): Values in shape (..., 5), ordered as the stencil

    Returns:
        tuple: step in shape (...) and the bool mask ``ok`` (...)
    """
    dx = 0.5 * (v[..., 1] - v[..., 2])
    dxx = 0.25 * (v[..., 3] - 2 * v[..., 0] + v[..., 4])
    ok = dxx < 0  # False for NaN too
    step = -dx / torch.where(ok, dxx, -torch.ones_like(dxx))
    ok = ok & torch.isfinite(step)
    return torch.where(ok, step, torch.zeros_like(step)), ok


def _stencil(stencil: str, device: torch.device) -> Tensor:
    """The stencil's (dx, dy) offsets, (S, 2) long; cached, read-only."""
    return _stencil_cached(stencil, str(device))


@lru_cache(maxsize=16)
def _stencil_cached(stencil: str, device: str) -> Tensor:
    table = dict(dark=DARK_STENCIL, udp=UDP_STENCIL, simcc=SIMCC_STENCIL)
    return torch.tensor(table[stencil], dtype=torch.long, device=device)


def refine_maxima(heatmaps: Tensor,
                  locs: Tensor,
                  maxima: Tensor,
                  stencil: str,
                  blur_kernel: Optional[Tensor],
                  clip: Tuple[float, float],
                  log_transform: bool = True) -> Tensor:
    """DARK refinement of integer maxima: modulation, logarithm and one Taylor
    step, for all instances and keypoints at once.

    Args:
        heatmaps (Tensor): Heatmaps in shape (B, K, H, W); 1-D vectors as
            (B, K, 1, L) with ``stencil='simcc'``
        locs (Tensor): long (x, y) maxima in shape (B, K, 2)
        maxima (Tensor): The maxima's values in shape (B, K)
        stencil (str): ``'dark'``, ``'udp'`` or ``'simcc'`` (1-D, along x)
        blur_kernel (Tensor, optional): 1-D modulation taps (k,), applied
            along x and (except for ``'simcc'``) y; ``None``: no modulation
        clip (tuple): (low, high) clip before the logarithm
        log_transform (bool): Expand the log-heatmap (DARK) rather than the
            heatmap itself

    Returns:
        Tensor: float32 (x, y) locations in heatmap pixels, shape (B, K, 2);
        the integer maxima where no step is taken
    """
    B, K, H, W = heatmaps.shape
    refined = locs.float()
    if B * K == 0:
        return refined
    offsets = _stencil(stencil, heatmaps.device)  # (S, 2)
    reach = 2 if stencil in ('dark', 'simcc') else 1
    reach_y = 0 if stencil == 'simcc' else reach
    span = (-reach, -reach_y, reach, reach_y)
    if stencil == 'dark':
        # the reference code refines only where the stencil fits; the
        # values read elsewhere are discarded below
        x, y = locs.unbind(-1)
        usable = (x >= 2) & (x <= W - 3) & (y >= 2) & (y <= H - 3)
    else:
        usable = torch.ones_like(maxima, dtype=torch.bool)
        lo, hi = locs.amin(dim=(0, 1)), locs.amax(dim=(0, 1))
        if not (lo[0] >= reach and hi[0] <= W - 1 - reach and
                lo[1] >= reach_y and hi[1] <= H - 1 - reach_y):
            # edge replication (np.pad mode='edge' in the reference code):
            # per-instance offsets to the clamped positions, (B, K, S, 2)
            positions = locs[..., None, :] + offsets
            limit = torch.tensor([W - 1, H - 1], device=heatmaps.device)
            offsets = torch.minimum(positions.clamp(min=0), limit) - \
                locs[..., None, :]
    one = heatmaps.new_ones(1)
    kernel_x = one if blur_kernel is None else blur_kernel
    kernel_y = one if blur_kernel is None or stencil == 'simcc' \
        else blur_kernel
    values, valid = modulated_log_values(
        heatmaps.float(), maxima.float(), locs, offsets, kernel_x.float(),
        kernel_y.float(), span, clip, log_transform)
    if stencil == 'simcc':
        step_x, ok = taylor_step_1d(values)
        step = torch.stack((step_x, torch.zeros_like(step_x)), dim=-1)
    else:
        derivatives = dark_derivatives if stencil == 'dark' \
            else udp_derivatives
        step, ok = taylor_step(*derivatives(values))
    update = (valid & ok & usable)[..., None]
    refined = torch.where(update, refined + step, refined)
    return limit_to_map(refined, (W, H))


def limit_to_map(locations: Tensor, size: Tuple[int, int]) -> Tensor:
    """Clamp (x, y) locations to ``[-0.5, size - 0.5]``: the extent of the
    map's pixels.

    Args:
        locations (Tensor): Locations in shape (..., 2)
        size (tuple): Map size [W, H]

    Returns:
        Tensor: Locations in shape (..., 2)
    """
    upper = locations.new_tensor(size) - 0.5
    return torch.minimum(locations.clamp(min=-0.5), upper)
