"""DARK's distribution modulation, evaluated where the Taylor step needs it.

DARK (Zhang et al., CVPR 2020, Sec. 4.1) smooths a predicted heatmap with the
training Gaussian, rescales it so that its maximum equals the original maximum
and takes the logarithm before the Taylor step. MMPose does this for whole
heatmaps (:func:`mmpose.codecs.utils.gaussian_blur`: ``cv2.GaussianBlur`` on a
zero-padded copy, then ``* max(h) / max(blur(h))``). The Taylor step reads
only a few values around each maximum, so here the blur is computed on a small
patch around each of them, for all instances and keypoints at once.

The rescaling only shifts the log-heatmap by ``log(max(h) / max(blur(h)))``,
which cancels in every finite difference; it matters only where the clip
before the logarithm is active. The whole-map blur (needed for
``max(blur(h))``) is therefore computed only for the few maps where a clip
bound can be reached (see :func:`modulated_log_values`).

Note:
    - batch size: B, keypoint number: K, heatmap size: [W, H]
    - stencil size: S (number of points the Taylor step reads)
    - 1-D vectors (B, K, L) are heatmaps of height 1 with ``kernel_y=[1]``
"""
from functools import lru_cache
from typing import Optional, Tuple

import cv2
import numpy as np
import torch
from torch import Tensor


def gaussian_kernel1d(kernel_size: int,
                      device: Optional[torch.device] = None) -> Tensor:
    """The 1-D Gaussian kernel ``cv2.GaussianBlur(..., (ks, ks), 0)`` uses.

    OpenCV derives sigma from the size (``0.3 * ((ks - 1) * 0.5 - 1) + 0.8``,
    so 11 -> 2.0, 17 -> 3.2) and uses fixed binomial tables for sizes up to
    7; ``cv2.getGaussianKernel`` returns exactly those taps.

    Args:
        kernel_size (int): Odd kernel size

    Returns:
        Tensor: float32 taps in shape (kernel_size,), summing to 1; shared
        between calls (cached), so do not modify it in place
    """
    return _gaussian_kernel1d(kernel_size, str(torch.device(device or 'cpu')))


@lru_cache(maxsize=32)
def _gaussian_kernel1d(kernel_size: int, device: str) -> Tensor:
    taps = cv2.getGaussianKernel(kernel_size, 0).reshape(-1)
    return torch.as_tensor(taps, dtype=torch.float32, device=device)


def _band_matrix(kernel: Tensor, size: int, border: str = 'zero') -> Tensor:
    """(size, size) matrix M with ``(M @ v)[i] = sum_t k[t] v[i + t - r]``:
    a 'same' correlation whose out-of-range taps are dropped (``'zero'``
    padding) or folded back with OpenCV's reflect-101 rule
    (``'reflect101'``: ``gfedcb|abcdefgh|gfedcba``)."""
    k = kernel.numel()
    r = k // 2
    rows = torch.arange(size, device=kernel.device)[:, None].expand(size, k)
    cols = rows + torch.arange(k, device=kernel.device) - r  # (size, k)
    taps = kernel.expand(size, k)
    if border == 'zero':
        keep = (cols >= 0) & (cols < size)
        rows, cols, taps = rows[keep], cols[keep], taps[keep]
    elif size == 1:
        cols = torch.zeros_like(cols)
    else:
        period = 2 * (size - 1)
        cols = cols.abs() % period
        cols = torch.where(cols >= size, period - cols, cols)
    band = kernel.new_zeros(size, size)
    return band.index_put_((rows.reshape(-1), cols.reshape(-1)),
                           taps.reshape(-1), accumulate=True)


def gaussian_blur_maps(maps: Tensor, kernel_x: Tensor, kernel_y: Tensor,
                       border: str = 'zero') -> Tensor:
    """Separable blur of whole maps as two matrix products.

    Args:
        maps (Tensor): Maps in shape (M, H, W)
        kernel_x (Tensor): Taps along x in shape (kx,)
        kernel_y (Tensor): Taps along y in shape (ky,)
        border (str): ``'zero'`` (MMPose's ``gaussian_blur``: zero padding)
            or ``'reflect101'`` (``cv2.GaussianBlur``'s default border)

    Returns:
        Tensor: Blurred maps in shape (M, H, W)
    """
    M, H, W = maps.shape
    band_y = _band_matrix(kernel_y, H, border)  # (H, H)
    band_x = _band_matrix(kernel_x, W, border)  # (W, W)
    return band_y @ maps @ band_x.T


def _valid_band(kernel: Tensor, outputs: int) -> Tensor:
    """(outputs + k - 1, outputs) matrix M with ``(v @ M)[j] =
    sum_t k[t] v[j + t]``: the 'valid' correlation of a patch. Cached: the
    decoders call this with the same few kernels and sizes."""
    return _valid_band_cached(
        tuple(kernel.tolist()), outputs, str(kernel.device), kernel.dtype)


@lru_cache(maxsize=64)
def _valid_band_cached(taps: Tuple[float, ...], outputs: int, device: str,
                       dtype: torch.dtype) -> Tensor:
    k = len(taps)
    band = np.zeros((outputs + k - 1, outputs), dtype=np.float64)
    for j in range(outputs):
        band[j:j + k, j] = taps
    return torch.from_numpy(band).to(device=device, dtype=dtype)


def blurred_maximum(heatmaps: Tensor, kernel_x: Tensor,
                    kernel_y: Tensor) -> Tensor:
    """Maximum of each zero-padded, Gaussian-blurred map.

    Args:
        heatmaps (Tensor): Maps in shape (M, H, W)
        kernel_x (Tensor): Taps along x in shape (kx,)
        kernel_y (Tensor): Taps along y in shape (ky,)

    Returns:
        Tensor: ``max(blur(h))`` of each map in shape (M,)
    """
    return gaussian_blur_maps(heatmaps, kernel_x, kernel_y).flatten(1).amax(1)


def blurred_values(heatmaps: Tensor, centers: Tensor, offsets: Tensor,
                   kernel_x: Tensor, kernel_y: Tensor,
                   span: Tuple[int, int, int, int]) -> Tensor:
    """Blurred heatmap values at ``centers + offsets``.

    The blur is the zero-padded correlation with ``kernel_y`` (rows) and
    ``kernel_x`` (columns), the same values as MMPose's whole-map
    ``gaussian_blur``, computed on a patch around each center.

    Args:
        heatmaps (Tensor): Heatmaps in shape (B, K, H, W)
        centers (Tensor): long (x, y) pixel indices in shape (B, K, 2)
        offsets (Tensor): long (dx, dy) stencil offsets in shape (S, 2), or
            per instance in shape (B, K, S, 2) within the range of
            ``span`` (e.g. offsets clamped at the border)
        kernel_x (Tensor): Taps along x in shape (kx,), odd kx
        kernel_y (Tensor): Taps along y in shape (ky,), odd ky
        span (tuple): (dx_min, dy_min, dx_max, dy_max) of the offsets

    Returns:
        Tensor: Blurred values in shape (B, K, S)
    """
    B, K, H, W = heatmaps.shape
    rx, ry = kernel_x.numel() // 2, kernel_y.numel() // 2
    ox_min, oy_min, ox_max, oy_max = span
    dev = heatmaps.device
    Py = oy_max - oy_min + 2 * ry + 1
    Px = ox_max - ox_min + 2 * rx + 1
    # top-left corner of each patch, (B, K)
    x0 = centers[..., 0] + (ox_min - rx)
    y0 = centers[..., 1] + (oy_min - ry)
    rows = torch.arange(Py, device=dev)
    cols = torch.arange(Px, device=dev)
    # indices of the (Py, Px) patch in the flattened map; out-of-map pixels
    # get a clamped (valid but wrong) index and are zeroed by the mask
    flat = (y0 * W + x0)[..., None] + (rows[:, None] * W + cols).reshape(-1)
    flat = flat.clamp_(0, H * W - 1) + H * W * torch.arange(
        B * K, device=dev).reshape(B, K, 1)
    # index_select on the flat buffer: several times faster than gather on CPU
    patch = heatmaps.reshape(-1).index_select(0, flat.reshape(-1)).reshape(
        B, K, Py, Px)
    inside = (int(x0.min()) >= 0 and int(x0.max()) + Px <= W
              and int(y0.min()) >= 0 and int(y0.max()) + Py <= H)
    sx, sy = ox_max - ox_min + 1, oy_max - oy_min + 1
    if not inside:
        # zero padding outside the heatmap: columns before the x-blur
        cols_in = ((x0[..., None] + cols) >= 0) & ((x0[..., None] + cols) < W)
        patch = patch * cols_in[..., None, :]
    # separable blur as two matrix products with banded (valid-part) taps;
    # (B, K, Py, Px) @ (Px, Sx) -> (B, K, Py, Sx)
    patch = patch @ _valid_band(kernel_x, sx)
    if not inside:
        # and rows, which the x-blur keeps apart, after it
        rows_in = ((y0[..., None] + rows) >= 0) & ((y0[..., None] + rows) < H)
        patch = patch * rows_in[..., None]
    # (B, K, Sx, Py) @ (Py, Sy) -> (B, K, Sx, Sy) -> (B, K, Sy, Sx): one
    # matrix product on a contiguous copy (a broadcast batched product of
    # B * K tiny matrices is several times slower on CPU)
    block = (patch.transpose(-1, -2).contiguous()
             @ _valid_band(kernel_y, sy)).transpose(-1, -2)
    pick = (offsets[..., 1] - oy_min) * sx + (offsets[..., 0] - ox_min)
    block = block.reshape(B, K, -1)
    if pick.dim() == 1:
        return block[..., pick]
    return block.gather(-1, pick)


def modulated_log_values(heatmaps: Tensor,
                         maxima: Tensor,
                         centers: Tensor,
                         offsets: Tensor,
                         kernel_x: Tensor,
                         kernel_y: Tensor,
                         span: Tuple[int, int, int, int],
                         clip: Tuple[float, float],
                         log_transform: bool = True
                         ) -> Tuple[Tensor, Tensor]:
    """``log(clip(blur(h) * max(h) / max(blur(h))))`` at stencil points.

    Up to a per-map constant (which no finite difference sees) this equals
    MMPose's ``log(clip(gaussian_blur(h)))``; the constant is computed exactly
    (whole-map blur) for the maps where a clip bound can be reached: a
    stencil value below ``clip[0]`` or ``max(h) > clip[1]`` (the rescaled
    blur never exceeds ``max(h)`` and is never below the unscaled one).

    Args:
        heatmaps (Tensor): Heatmaps in shape (B, K, H, W)
        maxima (Tensor): ``max(h)`` of each heatmap in shape (B, K)
        centers (Tensor): long (x, y) indices in shape (B, K, 2)
        offsets (Tensor): long (dx, dy) stencil offsets in shape (S, 2) or
            (B, K, S, 2)
        kernel_x (Tensor): Blur taps along x in shape (kx,); ``[1.]`` for none
        kernel_y (Tensor): Blur taps along y in shape (ky,); ``[1.]`` for none
        span (tuple): (dx_min, dy_min, dx_max, dy_max) of the offsets
        clip (tuple): (low, high) clip before the logarithm
        log_transform (bool): Take the logarithm; without it the blurred
            values are returned as they are (the Taylor step is invariant to
            the rescaling)

    Returns:
        tuple:
        - values (Tensor): Values in shape (B, K, S)
        - valid (Tensor): bool mask in shape (B, K); False where the map's
            maximum or its blurred maximum is not positive (no logarithm of
            the modulated map exists)
    """
    values = blurred_values(heatmaps, centers, offsets, kernel_x, kernel_y,
                            span)
    valid = maxima > 0
    if not log_transform:
        return values, valid
    low, high = clip
    scale = torch.ones_like(maxima)
    exact = valid & ((values < low).any(dim=-1) | (maxima > high))
    if exact.any():
        B, K, H, W = heatmaps.shape
        blur_max = blurred_maximum(heatmaps[exact].reshape(-1, H, W),
                                   kernel_x, kernel_y)
        scale[exact] = maxima[exact] / blur_max.clamp(min=1e-30)
        valid = valid.clone()
        valid[exact] = blur_max > 0
    values = torch.log((values * scale[..., None]).clamp(low, high))
    return values, valid
