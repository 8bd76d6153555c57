"""Training targets: 2-D Gaussian heatmaps, UDP offset maps and 1-D labels.

Vectorised over instances and keypoints (NumPy, as MMPose's codec API). The
values equal MMPose's loop implementations in ``mmpose.codecs.utils``
(``generate_gaussian_heatmaps``, ``generate_unbiased_gaussian_heatmaps``,
``generate_udp_gaussian_heatmaps``, ``generate_offset_heatmap``) for integer
``3 * sigma``; for other sigmas MMPose's window is asymmetric by one pixel and
ours is symmetric (``|x - mu| <= 3 sigma``).

Note:
    - instance number: N, keypoint number: K
    - heatmap size: [W, H]; keypoints are given in heatmap pixels
    - ``int(x + 0.5)`` below truncates toward zero, as MMPose and the original
      SimpleBaseline/UDP code round keypoints to pixels
"""
from typing import Tuple

import numpy as np


def _round_half_up_trunc(x: np.ndarray) -> np.ndarray:
    # int(x + 0.5) of the reference code: truncation toward zero
    return np.trunc(x + 0.5)


def _as_float(x: np.ndarray) -> np.ndarray:
    """float64 arrays as they are, anything else as float32."""
    return x if x.dtype == np.float64 else x.astype(np.float32)


def _support_overlaps(center: np.ndarray, radius: float,
                      heatmap_size: Tuple[int, int]) -> np.ndarray:
    """Whether the 3-sigma square around ``center`` (N, K, 2) touches the
    heatmap, with the reference code's bounds (left >= W or right < 0 with
    right = center + radius + 1). Returns a bool array (N, K)."""
    W, H = heatmap_size
    left, top = (center - radius).transpose(2, 0, 1)
    right, bottom = (center + radius + 1).transpose(2, 0, 1)
    return ~((left >= W) | (top >= H) | (right < 0) | (bottom < 0))


def gaussian_heatmaps(heatmap_size: Tuple[int, int],
                      keypoints: np.ndarray,
                      keypoints_visible: np.ndarray,
                      sigma: float,
                      centering: str = 'exact'
                      ) -> Tuple[np.ndarray, np.ndarray]:
    """Gaussian heatmaps, one channel per keypoint (max over instances).

    Args:
        heatmap_size (tuple): Heatmap size [W, H]
        keypoints (np.ndarray): Keypoints in heatmap pixels, shape (N, K, D)
        keypoints_visible (np.ndarray): Visibilities in shape (N, K)
        sigma (float): Gaussian sigma in heatmap pixels
        centering (str): Where the Gaussian is centred and how far it reaches:

            - ``'exact'``: at the sub-pixel keypoint, over the whole map
              (DARK's unbiased encoding; MMPose's
              ``generate_unbiased_gaussian_heatmaps``)
            - ``'quantized'``: at the keypoint rounded to a pixel, within
              3 sigma of it (the standard encoding;
              ``generate_gaussian_heatmaps``)
            - ``'udp'``: at the sub-pixel keypoint, within 3 sigma of the
              rounded keypoint (``generate_udp_gaussian_heatmaps``)

    Returns:
        tuple:
        - heatmaps (np.ndarray): float32 in shape (K, H, W), peak value 1
        - keypoint_weights (np.ndarray): float32 in shape (N, K): the
            visibility, zeroed where the 3-sigma support misses the map
    """
    W, H = heatmap_size
    N, K = keypoints.shape[:2]
    # rounded and centred in the keypoints' precision (as MMPose): a float64
    # keypoint just below n + 0.5 cast to float32 first would round up
    mu = _as_float(keypoints[..., :2])
    radius = 3 * sigma
    rounded = _round_half_up_trunc(mu)
    support = mu if centering == 'exact' else rounded
    overlaps = _support_overlaps(support, radius, heatmap_size)

    visible = keypoints_visible >= 0.5
    weights = keypoints_visible.astype(np.float32).copy()
    weights[visible & ~overlaps] = 0
    active = visible & overlaps

    center = rounded if centering == 'quantized' else mu
    x = np.arange(W, dtype=mu.dtype)
    y = np.arange(H, dtype=mu.dtype)
    # separable: exp(-(dx^2 + dy^2) / c) = exp(-dx^2 / c) * exp(-dy^2 / c)
    gx = np.exp(-(x - center[..., 0:1])**2 / (2 * sigma**2))  # (N, K, W)
    gy = np.exp(-(y - center[..., 1:2])**2 / (2 * sigma**2))  # (N, K, H)
    if centering != 'exact':
        gx *= np.abs(x - rounded[..., 0:1]) <= radius
        gy *= np.abs(y - rounded[..., 1:2]) <= radius
    gx *= active[..., None]
    heatmaps = gy[..., :, None] * gx[..., None, :]  # (N, K, H, W)
    return heatmaps.max(axis=0).astype(np.float32), weights


def offset_heatmaps(heatmap_size: Tuple[int, int], keypoints: np.ndarray,
                    keypoints_visible: np.ndarray,
                    radius_factor: float) -> Tuple[np.ndarray, np.ndarray]:
    """UDP's combined target of one instance: a binary disk map and x/y
    offset maps per keypoint (MMPose's ``generate_offset_heatmap``).

    Args:
        heatmap_size (tuple): Heatmap size [W, H]
        keypoints (np.ndarray): Keypoints in heatmap pixels, shape (1, K, D)
        keypoints_visible (np.ndarray): Visibilities in shape (1, K)
        radius_factor (float): Disk radius r = radius_factor * max(W, H)

    Returns:
        tuple:
        - heatmaps (np.ndarray): float32 in shape (K * 3, H, W): for each
            keypoint the disk (1 within r), (mu_x - x) / r and (mu_y - y) / r
        - keypoint_weights (np.ndarray): float32 in shape (1, K): the
            visibility, zeroed where the disk has no pixel in the map
    """
    W, H = heatmap_size
    K = keypoints.shape[1]
    radius = radius_factor * max(W, H)
    mu = keypoints[0, :, :2]
    visible = keypoints_visible[0] >= 0.5
    x = np.arange(W)
    y = np.arange(H)
    # (K, 1, W) and (K, H, 1)
    x_offset = ((mu[:, 0, None] - x) / radius)[:, None, :]
    y_offset = ((mu[:, 1, None] - y) / radius)[:, :, None]
    disk = (x_offset**2 + y_offset**2 <= 1).astype(np.float32)
    maps = np.stack(
        (disk, np.broadcast_to(x_offset, (K, H, W)),
         np.broadcast_to(y_offset, (K, H, W))),
        axis=1) * visible[:, None, None, None]
    weights = keypoints_visible.astype(np.float32).copy()
    weights[0, visible & ~disk.any(axis=(1, 2))] = 0
    return maps.reshape(K * 3, H, W).astype(np.float32), weights


def gaussian_labels_1d(length: int, centers: np.ndarray, active: np.ndarray,
                       sigma: float) -> np.ndarray:
    """Unnormalised 1-D Gaussian labels ``exp(-(i - c)^2 / 2 sigma^2)``.

    Args:
        length (int): Vector length L
        centers (np.ndarray): Centres in bins, shape (N, K)
        active (np.ndarray): bool (N, K); inactive rows are zero
        sigma (float): Sigma in bins

    Returns:
        np.ndarray: float32 labels in shape (N, K, L)
    """
    i = np.arange(length, dtype=np.float32)
    labels = np.exp(-(i - centers[..., None])**2 / (2 * sigma**2))
    return (labels * active[..., None]).astype(np.float32)
