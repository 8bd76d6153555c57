"""Batched maxima of heatmaps and 1-D coordinate vectors in torch.

Note:
    - batch size: B (instances), keypoint number: K
    - heatmap size: [W, H]; vector length: L

The maxima follow NumPy's tie rule (the first maximum in row-major order), as
MMPose's :func:`mmpose.codecs.utils.get_heatmap_maximum` does.
"""
import warnings
from typing import List, Tuple

import numpy as np
import torch
from torch import Tensor


def first_argmax(x: Tensor) -> Tuple[Tensor, Tensor]:
    """Index and value of the first maximum along the last dimension.

    On CPU the search runs in NumPy (on the same memory): torch's CPU
    ``argmax`` is about ten times slower than NumPy's for heatmap batches
    (3 ms against 0.2 ms for 64 x 17 maps of 64 x 48 on one core), and
    NumPy's indexing costs a microsecond where a torch op costs five. Both
    return the first occurrence; a NaN counts as the maximum (as NumPy's and
    MMPose's ``argmax``), so the value is NaN exactly where ``x`` holds one.

    Args:
        x (Tensor): Values in shape (..., L)

    Returns:
        tuple:
        - index (Tensor): long indices in [0, L) in shape (...)
        - value (Tensor): the maxima in shape (...)
    """
    if x.device.type != 'cpu':
        index = x.argmax(dim=-1)
        return index, x.gather(-1, index[..., None])[..., 0]
    index, maxima = first_argmax_numpy(x.detach().numpy())
    return torch.from_numpy(index), torch.from_numpy(maxima)


def first_argmax_numpy(values: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """:func:`first_argmax` of a NumPy array: index (...) and value (...)
    of the first maximum along the last axis of ``values`` (..., L)."""
    index = values.argmax(axis=-1)
    if values.flags.c_contiguous:
        # one flat take at row offset + index (a third of take_along_axis)
        length = values.shape[-1]
        rows = np.arange(0, index.size * length, length).reshape(index.shape)
        maxima = values.reshape(-1).take(index + rows)
    else:
        maxima = np.take_along_axis(values, index[..., None], axis=-1)[..., 0]
    return index, maxima


def check_heatmap_shape(codec: object, heatmaps: Tensor,
                        heatmap_size: Tuple[int, int],
                        maps_per_keypoint: int = 1) -> None:
    """Raise a ValueError naming the codec unless ``heatmaps`` is (B, C, H, W)
    with [W, H] = ``heatmap_size`` and C a multiple of ``maps_per_keypoint``:
    decoding scales by the configured size, so a head whose output size
    differs would give silently wrong coordinates."""
    name = type(codec).__name__
    if heatmaps.dim() != 4:
        raise ValueError(f'{name}: expected heatmaps (B, K, H, W), got shape '
                         f'{tuple(heatmaps.shape)}')
    B, C, H, W = heatmaps.shape
    if (W, H) != tuple(heatmap_size) or C % maps_per_keypoint:
        raise ValueError(
            f'{name}: the heatmaps are {W}x{H} (W x H) with {C} channels but '
            f'heatmap_size={tuple(heatmap_size)}; make the codec\'s '
            'heatmap_size match the head\'s output')


def get_heatmap_maximum_torch(heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
    """Location and value of each heatmap's maximum.

    Args:
        heatmaps (Tensor): Heatmaps in shape (B, K, H, W)

    Returns:
        tuple:
        - locs (Tensor): long (x, y) heatmap pixel indices in shape
            (B, K, 2), x in [0, W), y in [0, H)
        - vals (Tensor): the maxima in shape (B, K)
    """
    B, K, H, W = heatmaps.shape
    index, vals = first_argmax(heatmaps.reshape(B, K, H * W))
    locs = torch.stack((index % W, torch.div(index, W, rounding_mode='floor')),
                       dim=-1)
    return locs, vals


def get_vector_maximum_torch(vectors: Tensor) -> Tuple[Tensor, Tensor]:
    """Bin and value of each 1-D vector's maximum.

    Args:
        vectors (Tensor): Vectors in shape (B, K, L)

    Returns:
        tuple:
        - index (Tensor): long bin indices in [0, L) in shape (B, K)
        - vals (Tensor): the maxima in shape (B, K)
    """
    return first_argmax(vectors)


def warn_nan_maxima(codec: object, nan: Tensor, what: str) -> None:
    """Warn (``RuntimeWarning``) where a decoder input held NaN.

    NaN in a network output means the model is broken (a diverged training
    run, a float16 overflow). MMPose's codecs decode it without a word: score
    NaN, and the first NaN pixel or bin as the location (NaN coordinates
    after their Taylor step). The decoders give the same scores and say so,
    naming the first affected instance and keypoint, so that the NaN is seen
    where it enters rather than as a NaN metric at the end of a test run.

    Args:
        codec (object): The decoding codec (its class names the warning)
        nan (Tensor | np.ndarray): bool mask in shape (B, K): the
            keypoint's input held NaN
        what (str): What one keypoint's input is, e.g. ``'heatmap'``
    """
    if not bool(nan.any()):
        return
    nan = torch.as_tensor(nan)
    instance, keypoint = nan.nonzero()[0].tolist()
    warnings.warn(
        f'{type(codec).__name__}: {int(nan.sum())} of {nan.numel()} '
        f'{what}s hold NaN (first: instance {instance}, keypoint '
        f'{keypoint}); they decode to a meaningless location with score '
        'NaN (or NaN offsets), as in MMPose. The '
        'network output is broken: check the model (a diverged training '
        'run, a float16 overflow)', RuntimeWarning, stacklevel=3)


def split_instances(keypoints: Tensor, scores: Tensor
                    ) -> Tuple[List[np.ndarray], List[np.ndarray]]:
    """Batched decoder output to the lists MMPose's heads expect from
    ``batch_decode``: B keypoint arrays (1, K, D) and B score arrays (1, K).

    Args:
        keypoints (Tensor): (B, K, D)
        scores (Tensor): (B, K)
    """
    keypoints = keypoints.detach().cpu().numpy()
    scores = scores.detach().cpu().numpy()
    # iterating a (B, 1, ...) view yields the (1, ...) views in C
    return list(keypoints[:, None]), list(scores[:, None])
