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

Guards added to MMPose's (:func:`refine_maxima`; see docs/codecs.md):

- the step is taken only where the Hessian is negative definite (a maximum
  of the quadratic model exists; saddles and flat maps keep the integer
  maximum) and only for maps with a positive maximum (the logarithm exists);
- the stencil never reads beyond the vector or map. MMPose replicates the
  edge value there, which makes a Gaussian cut by the border look flat or
  convex: its 1-D step from the second bin can be hundreds of bins long
  (sigma 4.9, x in [0.3, 0.7] px: 112 px). Instead the 1-D step is not
  taken in the first and last two bins (as DARK's 13-point stencil already
  refines only where it fits), and the UDP step keeps an axis whose
  neighbours leave the map at its integer location and steps along the
  other axis alone (the maximum of the quadratic model restricted to that
  line);
- the step is at most :data:`REACH` (two pixels or bins, the reach of
  DARK's and SimCC's stencils) per axis. A longer step only
  extrapolates the quadratic model (a near-zero second derivative). A
  one-pixel bound would be too short: on noisy maps the arg-max of the raw
  map is often more than a pixel from the modulated peak, and the step has
  to travel that far (``benchmarks/codec_edges.py reach``, recorded in
  ``results/benchmarks/codec_edges_reach.json``: bounding at one bin
  raises the mean error of SimDR labels of sigma 6 bins plus noise 3e-3
  from 0.203 to 0.285 px, and DARK's at sigma 3, noise 0.1, from 0.428 to
  0.739 px).

:func:`refine_maxima_mmpose` computes MMPose's unguarded step, for the
codecs' ``guarded_decoding=False``: equal to MMPose's to 1e-3 px wherever the
step is well conditioned. Its blur is a matrix product, not OpenCV's filter;
on nearly flat maps, where the step divides by a near-zero determinant, the
different float32 rounding moves the result as much as a one-ulp change of
the input moves MMPose's (tests/codecs/test_stated_edges.py).

Note:
    - batch size: B, keypoint number: K, heatmap size: [W, H]
    - all locations are in heatmap pixels (bins for 1-D vectors)
"""
from functools import lru_cache
from typing import Optional, Tuple

import torch
from torch import Tensor

from .modulation import gaussian_blur_maps, modulated_log_values

# (dx, dy) offsets of the stencils; the derivative functions index into them
DARK_STENCIL = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (2, 0), (-2, 0),
                (0, 2), (0, -2), (1, 1), (-1, 1), (1, -1), (-1, -1))
UDP_STENCIL = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1))
SIMCC_STENCIL = ((0, 0), (1, 0), (-1, 0), (2, 0), (-2, 0))

#: The largest step of the bounded refinement, per axis (pixels or bins)
REACH = 2.0


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


def taylor_step_1d(v: Tensor, position: Optional[Tensor] = None,
                   length: Optional[int] = None) -> Tuple[Tensor, Tensor]:
    """1-D step ``-f'/f''`` from values on :data:`SIMCC_STENCIL`, taken where
    ``f'' < 0``, at most :data:`REACH` bins.

    With ``position`` and ``length`` given, only where the stencil fits the
    vector (``2 <= i <= L - 3``): MMPose reads replicated edge values in the
    first and last two bins, which make a Gaussian cut by the border look
    flat or convex.

    Args:
        v (Tensor): Values in shape (..., 5), ordered as the stencil
        position (Tensor, optional): long bin i of each value set, (...)
        length (int, optional): Vector length L

    Returns:
        tuple: step in shape (...) and the bool mask ``ok`` (...)
    """
    dx = 0.5 * (v[..., 1] - v[..., 2])
    dxx = 0.25 * (v[..., 3] - 2 * v[..., 0] + v[..., 4])
    ok = dxx < 0  # False for NaN too
    if position is not None:
        ok = ok & (position >= 2) & (position <= length - 3)
    step = -dx / torch.where(ok, dxx, -torch.ones_like(dxx))
    ok = ok & torch.isfinite(step)
    step = step.clamp(-REACH, REACH)
    return torch.where(ok, step, torch.zeros_like(step)), ok


def _stencil(stencil: str, device: torch.device) -> Tensor:
    """The stencil's (dx, dy) offsets, (S, 2) long; cached, read-only."""
    return _stencil_cached(stencil, str(device))


@lru_cache(maxsize=16)
def _stencil_cached(stencil: str, device: str) -> Tensor:
    table = dict(dark=DARK_STENCIL, udp=UDP_STENCIL, simcc=SIMCC_STENCIL)
    return torch.tensor(table[stencil], dtype=torch.long, device=device)


def _udp_axis_steps(grad: Tensor, hess: Tensor, inside: Tensor
                    ) -> Tuple[Tensor, Tensor]:
    """The UDP step where only one axis has both neighbours in the map:
    ``-f_a / f_aa`` along that axis (for ``f_aa < 0``), zero along the
    other. ``inside`` is a bool (..., 2) mask of the axes whose neighbours
    are in the map. Returns the step (..., 2) and ``ok`` (...)."""
    d = torch.diagonal(hess, dim1=-2, dim2=-1)  # (..., 2)
    ok = inside & (d < 0)
    step = -grad / torch.where(ok, d, -torch.ones_like(d))
    ok = ok & torch.isfinite(step)
    step = torch.where(ok, step, torch.zeros_like(step))
    return step, ok.any(dim=-1)


def refine_maxima(heatmaps: Tensor,
                  locs: Tensor,
                  maxima: Tensor,
                  stencil: str,
                  blur_kernel: Optional[Tensor],
                  clip: Tuple[float, float],
                  log_transform: bool = True) -> Tensor:
    """DARK refinement of integer maxima: modulation, logarithm and one
    bounded Taylor step, for all instances and keypoints at once.

    Args:
        heatmaps (Tensor): Heatmaps in shape (B, K, H, W), float32 or
            float64 (computed in that precision); 1-D vectors as
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
        Tensor: (x, y) locations in heatmap pixels, shape (B, K, 2), in the
        heatmaps' dtype: the integer maxima where no step is taken, else at
        most :data:`REACH` from them per axis and within
        ``[-0.5, size - 0.5]``
    """
    B, K, H, W = heatmaps.shape
    dtype = heatmaps.dtype
    refined = locs.to(dtype)
    if B * K == 0:
        return refined
    offsets = _stencil(stencil, heatmaps.device)  # (S, 2)
    reach = 2 if stencil in ('dark', 'simcc') else 1
    reach_y = 0 if stencil == 'simcc' else reach
    span = (-reach, -reach_y, reach, reach_y)
    x, y = locs.unbind(-1)
    if stencil == 'dark':
        # the reference code refines only where the stencil fits; the
        # values read elsewhere are discarded below
        usable = (x >= 2) & (x <= W - 3) & (y >= 2) & (y <= H - 3)
    else:
        usable = torch.ones_like(maxima, dtype=torch.bool)
        lo, hi = locs.amin(dim=(0, 1)), locs.amax(dim=(0, 1))
        if not (lo[0] >= reach and hi[0] <= W - 1 - reach and
                lo[1] >= reach_y and hi[1] <= H - 1 - reach_y):
            # per-instance offsets to the clamped positions, (B, K, S, 2);
            # the derivatives below use only the values inside
            positions = locs[..., None, :] + offsets
            limit = torch.tensor([W - 1, H - 1], device=heatmaps.device)
            offsets = torch.minimum(positions.clamp(min=0), limit) - \
                locs[..., None, :]
    one = heatmaps.new_ones(1)
    kernel_x = one if blur_kernel is None else blur_kernel.to(dtype)
    kernel_y = one if blur_kernel is None or stencil == 'simcc' \
        else blur_kernel.to(dtype)
    values, valid = modulated_log_values(heatmaps, maxima.to(dtype), locs,
                                         offsets, kernel_x, kernel_y, span,
                                         clip, log_transform)
    if stencil == 'simcc':
        step_x, ok = taylor_step_1d(values, x, W)
        step = torch.stack((step_x, torch.zeros_like(step_x)), dim=-1)
    elif stencil == 'dark':
        step, ok = taylor_step(*dark_derivatives(values))
    else:
        grad, hess = udp_derivatives(values)
        inside = torch.stack(((x >= 1) & (x <= W - 2),
                              (y >= 1) & (y <= H - 2)), dim=-1)
        step, ok = taylor_step(grad, hess)
        axis_step, axis_ok = _udp_axis_steps(grad, hess, inside)
        both = inside.all(dim=-1)
        step = torch.where(both[..., None], step, axis_step)
        ok = torch.where(both, ok, axis_ok)
    step = step.clamp(-REACH, REACH)
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


def mmpose_maxima(locs: Tensor, maxima: Tensor) -> Tensor:
    """MMPose's convention for maxima that are not positive: location -1
    (``locs[vals <= 0] = -1``; a NaN maximum keeps its location, the first
    NaN).

    Args:
        locs (Tensor): long (x, y) maxima in shape (B, K, 2)
        maxima (Tensor): Their values in shape (B, K)

    Returns:
        Tensor: long locations in shape (B, K, 2)
    """
    return locs.masked_fill((maxima <= 0)[..., None], -1)


def _modulated_log_maps(heatmaps: Tensor, blur_kernel: Tensor,
                        blur_y: bool, clip: Tuple[float, float]) -> Tensor:
    """MMPose's whole-map modulation: zero-padded blur, rescaled to the
    original maximum (NaN for a map whose blur has maximum 0, as MMPose),
    clipped and logged. (B, K, H, W) -> (B, K, H, W)."""
    B, K, H, W = heatmaps.shape
    kernel = blur_kernel.to(heatmaps.dtype)
    blurred = gaussian_blur_maps(heatmaps.reshape(B * K, H, W), kernel,
                                 kernel if blur_y else kernel.new_ones(1))
    blurred = blurred.reshape(B, K, H, W)
    scale = heatmaps.amax(dim=(2, 3)) / blurred.amax(dim=(2, 3))
    return torch.log((blurred * scale[..., None, None]).clamp(*clip))


def _read_padded(maps: Tensor, flat_index: Tensor, pad: int) -> Tensor:
    """Values of edge-padded maps at indices into MMPose's flattened padded
    array, Python's wrap-around for negative indices included.

    Args:
        maps (Tensor): (B, K, H, W)
        flat_index (Tensor): long (B, N) indices into the flattened
            (K, H + 2 pad, W + 2 pad) padded maps of each instance
        pad (int): Padding width

    Returns:
        Tensor: (B, N) values
    """
    B, K, H, W = maps.shape
    Hp, Wp = H + 2 * pad, W + 2 * pad
    flat_index = flat_index % (K * Hp * Wp)
    k = torch.div(flat_index, Hp * Wp, rounding_mode='floor')
    rest = flat_index % (Hp * Wp)
    yy = (torch.div(rest, Wp, rounding_mode='floor') - pad).clamp(0, H - 1)
    xx = (rest % Wp - pad).clamp(0, W - 1)
    return maps.reshape(B, -1).gather(-1, (k * H + yy) * W + xx)


def refine_maxima_mmpose(heatmaps: Tensor, locs: Tensor, stencil: str,
                         blur_kernel: Tensor) -> Tensor:
    """MMPose's Taylor step without our guards, batched: what
    ``refine_simcc_dark`` (``'simcc'``), ``refine_keypoints_dark``
    (``'dark'``) and ``refine_keypoints_dark_udp`` (``'udp'``) compute,
    including their reads at location -1 and beyond the border.

    Args:
        heatmaps (Tensor): (B, K, H, W); 1-D vectors as (B, K, 1, L) with
            ``'simcc'``
        locs (Tensor): long (x, y) locations in shape (B, K, 2); -1 where
            MMPose writes -1 (see :func:`mmpose_maxima`)
        stencil (str): ``'dark'``, ``'udp'`` or ``'simcc'``
        blur_kernel (Tensor): Modulation taps (k,)

    Returns:
        Tensor: (x, y) locations in heatmap pixels, shape (B, K, 2), in the
        heatmaps' dtype (unbounded; NaN where MMPose gives NaN)
    """
    B, K, H, W = heatmaps.shape
    dtype = heatmaps.dtype
    refined = locs.to(dtype)
    if B * K == 0:
        return refined
    x, y = locs.unbind(-1)
    if stencil == 'simcc':
        logs = _modulated_log_maps(heatmaps, blur_kernel, False, (1e-3, 50.))
        # np.pad(..., 2, 'edge') and take_along_axis at int(x + 2.5) + o
        # (x = -1 reads padded index -1, the last one)
        L = W + 4
        index = x[..., None] + 2 + torch.arange(-2, 3, device=x.device)
        index = (index % L - 2).clamp(0, W - 1)  # (B, K, 5)
        v = logs[:, :, 0].gather(-1, index)  # f(i-2) .. f(i+2)
        dx = 0.5 * (v[..., 3] - v[..., 1])
        dxx = 1e-9 + 0.25 * (v[..., 4] - 2 * v[..., 2] + v[..., 0])
        refined[..., 0] -= dx / dxx
        return refined
    if stencil == 'dark':
        logs = _modulated_log_maps(heatmaps, blur_kernel, True,
                                   (1e-10, float('inf')))
        usable = (x > 1) & (x < W - 2) & (y > 1) & (y < H - 2)
        xs = x.clamp(2, W - 3)[..., None]
        ys = y.clamp(2, H - 3)[..., None]
        offsets = _stencil(stencil, heatmaps.device)
        index = (ys + offsets[:, 1]) * W + xs + offsets[:, 0]  # (B, K, 13)
        v = logs.reshape(B, K, H * W).gather(-1, index)
        grad, hess = dark_derivatives(v)
        a, b, d = hess[..., 0, 0], hess[..., 0, 1], hess[..., 1, 1]
        det = a * d - b * b
        usable = usable & (det != 0)
        det = torch.where(usable, det, torch.ones_like(det))
        step = torch.stack((-(d * grad[..., 0] - b * grad[..., 1]) / det,
                            -(a * grad[..., 1] - b * grad[..., 0]) / det),
                           dim=-1)
        return torch.where(usable[..., None], refined + step, refined)
    # 'udp': edge-padded by 1, flattened over (K, H + 2, W + 2), read at
    # index + offsets (the -1 location reads the previous keypoint's map)
    logs = _modulated_log_maps(heatmaps, blur_kernel, True, (1e-3, 50.))
    Wp, Hp = W + 2, H + 2
    index = (x + 1 + (y + 1) * Wp +
             Wp * Hp * torch.arange(K, device=x.device))  # (B, K)
    shifts = torch.tensor([0, 1, -1, Wp, -Wp, Wp + 1, -Wp - 1],
                          device=x.device)  # the UDP stencil, flattened
    v = _read_padded(logs, (index[..., None] + shifts).reshape(B, -1), 1)
    grad, hess = udp_derivatives(v.reshape(B, K, 7))
    eps = torch.finfo(torch.float32).eps
    a, b, d = hess[..., 0, 0] + eps, hess[..., 0, 1], hess[..., 1, 1] + eps
    det = a * d - b * b
    step = torch.stack((-(d * grad[..., 0] - b * grad[..., 1]) / det,
                        -(a * grad[..., 1] - b * grad[..., 0]) / det), dim=-1)
    return refined + step
