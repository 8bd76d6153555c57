"""DARK: distribution-aware coordinate representation of keypoints."""
from typing import List, Optional, Tuple

import numpy as np
import torch
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.registry import KEYPOINT_CODECS
from torch import Tensor

from .utils import (as_float_tensor, check_heatmap_shape, gaussian_heatmaps,
                     gaussian_kernel1d, get_heatmap_maximum_torch,
                     mmpose_maxima, refine_maxima, refine_maxima_mmpose,
                     split_instances, warn_nan_maxima)


@KEYPOINT_CODECS.register_module()
class DARKHeatmap(BaseKeypointCodec):
    """Heatmaps with DARK's unbiased encoding and distribution-aware decoding.

    See `Distribution-Aware Coordinate Representation for Human Pose
    Estimation`_ (Zhang et al., CVPR 2020). Encoding centres the Gaussian at
    the exact sub-pixel location ``g / lambda`` (Sec. 4.2). Decoding
    (Sec. 4.1) (a) modulates the heatmap with a Gaussian and rescales it to
    its original maximum, (b) takes the logarithm, (c) takes one Taylor step
    ``mu = m - H(m)^-1 g(m)`` from the maximum m and (d) scales back to the
    input. Every part can be switched off, and the standard quantised
    encoding and quarter-pixel shift decoding are available, so the paper's
    ablations (its Tables 2 and 3) can be run.

    A drop-in for MMPose's ``MSRAHeatmap``: it takes the same arguments
    in the same order (``input_size, heatmap_size, sigma, unbiased,
    blur_kernel_size``) with the same meaning, so changing ``type=`` in an
    MMPose config is enough; ``unbiased=True`` (or the defaults) computes
    ``MSRAHeatmap(unbiased=True)``, ``unbiased=False`` the standard
    ``MSRAHeatmap``, with batched torch decoding (:meth:`batch_decode`).
    The one default that differs: ``MSRAHeatmap``'s ``unbiased`` is
    ``False``, ours DARK; an MMPose config of the standard codec (no
    ``unbiased``) with only ``type=`` changed decodes with DARK, and needs
    ``unbiased=False`` for the standard decoding. A heatmap holding NaN gives
    score NaN (as ``MSRAHeatmap``) and a ``RuntimeWarning`` naming the
    instance and keypoint.
    Where it differs on purpose (``guarded_decoding=False`` restores
    MMPose's decoding exactly): heatmaps whose maximum is not positive keep
    their arg-max location (MMPose writes -1), and the Taylor step is taken
    only for a negative definite Hessian and is at most two pixels per axis
    (see :mod:`mmpose_ext.codecs.utils.taylor_refinement`).

    Note:

        - instance number: N
        - keypoint number: K
        - keypoint dimension: D
        - input size: [w, h]; heatmap size: [W, H]
        - keypoints are in input-image pixels; a heatmap pixel x covers input
          x * w / W (MMPose's convention, no half-pixel offset)

    Encoded:

        - heatmaps (np.ndarray): float32 in shape (K, H, W), peak 1
        - keypoint_weights (np.ndarray): float32 in shape (N, K)

    Args:
        input_size (tuple): Input image size [w, h]
        heatmap_size (tuple): Heatmap size [W, H]
        sigma (float): Gaussian sigma in heatmap pixels
        unbiased (bool, optional): ``MSRAHeatmap``'s switch: ``True`` is
            ``encoding='unbiased', decoding='dark'``, ``False`` is
            ``encoding='quantized', decoding='shift'``; ``None`` leaves them
            to ``encoding`` and ``decoding``. Defaults to ``None``
        blur_kernel_size (int): Size of the modulation kernel; its sigma is
            OpenCV's ``0.3 * ((ks - 1) * 0.5 - 1) + 0.8`` and should match
            ``sigma`` (11 for sigma 2, 17 for sigma 3, 5 for sigma 1).
            Defaults to 11
        encoding (str, optional): Keyword-only. ``'unbiased'`` (Gaussian at
            the exact location) or ``'quantized'`` (at the location rounded
            to a heatmap pixel, the standard encoding). Defaults to
            ``'unbiased'``
        decoding (str, optional): Keyword-only. ``'dark'`` (Taylor step),
            ``'shift'`` (a quarter pixel from the maximum towards the higher
            neighbour, the standard decoding) or ``'argmax'`` (the maximum
            pixel). Defaults to ``'dark'``
        modulation (bool): Smooth with the Gaussian before the Taylor step.
            Defaults to ``True``
        log_transform (bool): Expand the log-heatmap (otherwise the heatmap
            itself). Defaults to ``True``
        guarded_decoding (bool): Keep the arg-max of non-positive maxima and
            bound the Taylor step. ``False``: ``MSRAHeatmap``'s decoding
            (equal to 1e-3 px wherever its Taylor step is well conditioned,
            NaN inputs included; needs ``modulation`` and
            ``log_transform``). Defaults to ``True``

    .. _`Distribution-Aware Coordinate Representation for Human Pose
       Estimation`: https://arxiv.org/abs/1910.06278
    """

    label_mapping_table = dict(keypoint_weights='keypoint_weights', )
    field_mapping_table = dict(heatmaps='heatmaps', )

    _encodings = ('unbiased', 'quantized')
    _decodings = ('dark', 'shift', 'argmax')

    def __init__(self,
                 input_size: Tuple[int, int],
                 heatmap_size: Tuple[int, int],
                 sigma: float,
                 unbiased: Optional[bool] = None,
                 blur_kernel_size: int = 11,
                 *,
                 encoding: Optional[str] = None,
                 decoding: Optional[str] = None,
                 modulation: bool = True,
                 log_transform: bool = True,
                 guarded_decoding: bool = True) -> None:
        super().__init__()
        name = self.__class__.__name__
        if unbiased is not None and not isinstance(unbiased, (bool, np.bool_)):
            raise ValueError(
                f'{name}: unbiased={unbiased!r} must be True, False or None '
                "(MSRAHeatmap's fourth argument); encoding and decoding are "
                'keyword-only')
        if unbiased is not None:
            implied = ('unbiased', 'dark') if unbiased else ('quantized',
                                                             'shift')
            for key, given, want in zip(('encoding', 'decoding'),
                                        (encoding, decoding), implied):
                if given not in (None, want):
                    raise ValueError(
                        f'{name}: unbiased={unbiased} means {key}={want!r} '
                        f'(as MSRAHeatmap), got {key}={given!r}; give one '
                        'of them')
            encoding, decoding = implied
        encoding = 'unbiased' if encoding is None else encoding
        decoding = 'dark' if decoding is None else decoding
        if encoding not in self._encodings:
            raise ValueError(f'{name}: encoding={encoding!r} is not one of '
                             f'{self._encodings}')
        if decoding not in self._decodings:
            raise ValueError(f'{name}: decoding={decoding!r} is not one of '
                             f'{self._decodings}')
        if not sigma > 0:
            raise ValueError(f'{name}: sigma must be positive, got {sigma}')
        if blur_kernel_size < 1 or blur_kernel_size % 2 == 0:
            raise ValueError(f'{name}: blur_kernel_size must be a positive '
                             f'odd integer, got {blur_kernel_size}')
        if not guarded_decoding and decoding == 'dark' and not (
                modulation and log_transform):
            raise ValueError(
                f'{name}: guarded_decoding=False is MSRAHeatmap\'s decoding, '
                'which always modulates and takes the log; it cannot be '
                f'combined with modulation={modulation}, '
                f'log_transform={log_transform}')
        self.input_size = tuple(input_size)
        self.heatmap_size = tuple(heatmap_size)
        self.sigma = sigma
        self.encoding = encoding
        self.decoding = decoding
        self.unbiased = encoding == 'unbiased'
        self.modulation = modulation
        self.log_transform = log_transform
        self.blur_kernel_size = blur_kernel_size
        self.guarded_decoding = guarded_decoding
        self.scale_factor = (np.array(input_size) /
                             heatmap_size).astype(np.float32)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode keypoints into heatmaps.

        Args:
            keypoints (np.ndarray): Keypoints in input pixels, (N, K, D)
            keypoints_visible (np.ndarray): Visibilities in shape (N, K)

        Returns:
            dict:
            - heatmaps (np.ndarray): float32 in shape (K, H, W), the maximum
                over instances
            - keypoint_weights (np.ndarray): float32 in shape (N, K): the
                visibility, zeroed where the Gaussian's 3-sigma square misses
                the heatmap
        """
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        heatmaps, keypoint_weights = gaussian_heatmaps(
            self.heatmap_size,
            keypoints[..., :2] / self.scale_factor,
            keypoints_visible,
            self.sigma,
            centering='exact' if self.encoding == 'unbiased' else 'quantized')
        return dict(heatmaps=heatmaps, keypoint_weights=keypoint_weights)

    def decode(self, encoded: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode the heatmaps of one instance.

        Args:
            encoded (np.ndarray): Heatmaps in shape (K, H, W); any strides,
                float32 or float64 (decoded in that precision)

        Returns:
            tuple:
            - keypoints (np.ndarray): float32 in input pixels, (1, K, 2)
            - scores (np.ndarray): heatmap maxima in shape (1, K)
        """
        keypoints, scores = self.decode_tensor(as_float_tensor(encoded)[None])
        return keypoints.numpy(), scores.numpy()

    def batch_decode(self, batch_heatmaps: Tensor
                     ) -> Tuple[List[np.ndarray], List[np.ndarray]]:
        """Decode a batch of heatmaps (used by MMPose's heads).

        Args:
            batch_heatmaps (Tensor | np.ndarray): Heatmaps in shape
                (B, K, H, W)

        Returns:
            tuple: lists of B keypoint arrays (1, K, 2) in input pixels and B
            score arrays (1, K)
        """
        return split_instances(
            *self.decode_tensor(as_float_tensor(batch_heatmaps)))

    @torch.no_grad()
    def decode_tensor(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
        """Batched decoding on the heatmaps' device.

        Args:
            heatmaps (Tensor): Heatmaps in shape (B, K, H, W)

        Returns:
            tuple:
            - keypoints (Tensor): float32 in input pixels, (B, K, 2)
            - scores (Tensor): heatmap maxima in shape (B, K)
        """
        heatmaps = as_float_tensor(heatmaps)
        check_heatmap_shape(self, heatmaps, self.heatmap_size)
        locs, scores = get_heatmap_maximum_torch(heatmaps)
        warn_nan_maxima(self, scores.isnan(), 'heatmap')
        positive = (scores > 0)[..., None]
        if not self.guarded_decoding:
            locs = mmpose_maxima(locs, scores)
            positive = torch.ones_like(positive)
        kernel = gaussian_kernel1d(self.blur_kernel_size, heatmaps.device)
        if self.decoding == 'dark' and not self.guarded_decoding:
            keypoints = refine_maxima_mmpose(heatmaps, locs, 'dark', kernel)
        elif self.decoding == 'dark':
            keypoints = refine_maxima(heatmaps, locs, scores, 'dark',
                                      kernel if self.modulation else None,
                                      (1e-10, float('inf')),
                                      self.log_transform)
        elif self.decoding == 'shift':
            keypoints = locs.to(heatmaps.dtype) + 0.25 * self._shift_direction(
                heatmaps, locs) * positive
        else:
            keypoints = locs.to(heatmaps.dtype)
        scale = torch.as_tensor(self.scale_factor, device=heatmaps.device)
        return (keypoints * scale).float(), scores

    @staticmethod
    def _shift_direction(heatmaps: Tensor, locs: Tensor) -> Tensor:
        """Sign of the central difference at the maximum, per axis, where
        MMPose's ``refine_keypoints`` takes it (1 < x < W - 1 and y > 0 for
        x; 1 < y < H - 1 and x > 0 for y), else 0. Returns (B, K, 2)."""
        B, K, H, W = heatmaps.shape
        x, y = locs.unbind(-1)
        flat = heatmaps.reshape(B, K, H * W)

        def at(yy, xx):
            idx = yy.clamp(0, H - 1) * W + xx.clamp(0, W - 1)
            return flat.gather(-1, idx[..., None])[..., 0]

        dx = (at(y, x + 1) - at(y, x - 1)) * ((x > 1) & (x < W - 1) & (y > 0))
        dy = (at(y + 1, x) - at(y - 1, x)) * ((y > 1) & (y < H - 1) & (x > 0))
        return torch.stack((dx, dy), dim=-1).sign()
