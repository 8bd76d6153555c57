"""UDP: unbiased data processing heatmaps (Gaussian or combined targets)."""
from typing import List, Optional, Tuple

import numpy as np
import torch
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.registry import KEYPOINT_CODECS
from torch import Tensor

from .utils import (as_float_tensor, check_heatmap_shape, gaussian_blur_maps,
                     gaussian_heatmaps, gaussian_kernel1d,
                     get_heatmap_maximum_torch, mmpose_maxima,
                     offset_heatmaps, refine_maxima, refine_maxima_mmpose,
                     split_instances, warn_nan_maxima)


@KEYPOINT_CODECS.register_module()
class UDPCodec(BaseKeypointCodec):
    r"""Heatmaps of Unbiased Data Processing, decoded in batches in torch.

    See `The Devil is in the Details: Delving into Unbiased Data Processing
    for Human Pose Estimation`_ (Huang et al., CVPR 2020). UDP measures image
    size in unit lengths (``size - 1``): the crop of scale s maps onto
    ``[0, w - 1]`` (MMPose's ``TopdownAffine(use_udp=True)``) and the input
    onto ``[0, W - 1]`` of the heatmap, so flipping (``x -> w - 1 - x``)
    commutes with the resizing and flip test needs no heatmap shift
    (``test_cfg=dict(flip_test=True, flip_mode='heatmap',
    shift_heatmap=False)``; ``flip_mode='udp_combined'`` for combined
    targets).

    A drop-in for MMPose's ``UDPHeatmap``: the same arguments, encoded keys
    and coordinate conventions, including that decoded keypoints are
    returned in "input size" units (``x_heatmap / (W - 1) * w``), which
    ``TopdownPoseEstimator``'s inverse transform (``x / w * s + c - s / 2``)
    turns into original-image pixels for UDP's affine transform. Differences
    on purpose (see docs/codecs.md; ``guarded_decoding=False`` and
    ``zero_weight_outside=False`` restore MMPose's behaviour): maxima that
    are not positive keep their arg-max location (MMPose writes -1, and its
    UDP refinement then reads the neighbouring keypoint's heatmap), the
    Taylor step is taken only for a negative definite Hessian, is at most two
    pixels per axis, and an axis whose neighbours leave the map keeps its
    integer location (MMPose replicates the edge, which always steps half a
    pixel outwards), and in ``'combined'`` mode a keypoint whose positive
    disk misses the heatmap gets weight 0 (MMPose keeps its visibility).

    Where that stops (tests/codecs/test_stated_edges.py): decoding is never
    farther from the truth than ``UDPHeatmap``'s for keypoints inside the
    input; for keypoints up to 12 px outside it (maximum on the border
    pixel) ours keeps that pixel while MMPose's half-pixel step outwards
    happens to help: about 2 px farther at most at 256x192 (the test's
    bound 2.05 px; ``benchmarks/codec_edges.py outside`` records the
    largest it finds). A heatmap holding NaN
    gives score NaN (as ``UDPHeatmap``) and a ``RuntimeWarning`` naming the
    instance and keypoint.

    Note:

        - instance number: N
        - keypoint number: K
        - keypoint dimension: D
        - input size: [w, h]; heatmap size: [W, H]
        - keypoints given to :meth:`encode` are in input pixels of the UDP
          affine transform; heatmap x = x_input * (W - 1) / (w - 1)

    Encoded:

        - heatmaps (np.ndarray): float32 in shape (C, H, W): C = K for
            ``'gaussian'``; C = 3K for ``'combined'`` (per keypoint: the
            binary disk map, then x and y offsets divided by the radius)
        - keypoint_weights (np.ndarray): float32 in shape (N, K)

    Args:
        input_size (tuple): Input image size [w, h]
        heatmap_size (tuple): Heatmap size [W, H]
        heatmap_type (str): ``'gaussian'`` or ``'combined'``. Defaults to
            ``'gaussian'``
        sigma (float): Gaussian sigma in heatmap pixels (``'gaussian'``).
            Defaults to 2.0
        radius_factor (float): Disk radius ``r = radius_factor * max(W, H)``
            (``'combined'``). Defaults to 0.0546875
        blur_kernel_size (int): Modulation kernel size for ``'gaussian'``
            decoding (as :class:`DARKHeatmap`); ``'combined'`` decoding blurs
            the disk maps with a kernel of ``2 * blur_kernel_size + 1`` (as
            MMPose). Defaults to 11
        zero_weight_outside (bool): Keyword-only. Weight 0 for a
            ``'combined'`` keypoint whose disk misses the map; ``False``:
            ``UDPHeatmap``'s (the visibility). Defaults to ``True``
        guarded_decoding (bool): Keyword-only. Keep the arg-max of
            non-positive maxima and bound the Taylor step; ``False``:
            ``UDPHeatmap``'s decoding, equal to 1e-3 px wherever its Taylor
            step is well conditioned (NaN inputs included); on nearly flat
            maps, where a one-ulp change of the input moves MMPose's own
            result, not. Defaults to ``True``

    .. _`The Devil is in the Details: Delving into Unbiased Data Processing
       for Human Pose Estimation`: https://arxiv.org/abs/1911.07524
    """

    label_mapping_table = dict(keypoint_weights='keypoint_weights', )
    field_mapping_table = dict(heatmaps='heatmaps', )

    _heatmap_types = ('gaussian', 'combined')

    def __init__(self,
                 input_size: Tuple[int, int],
                 heatmap_size: Tuple[int, int],
                 heatmap_type: str = 'gaussian',
                 sigma: float = 2.,
                 radius_factor: float = 0.0546875,
                 blur_kernel_size: int = 11,
                 *,
                 zero_weight_outside: bool = True,
                 guarded_decoding: bool = True) -> None:
        super().__init__()
        name = self.__class__.__name__
        if heatmap_type not in self._heatmap_types:
            raise ValueError(f'{name}: heatmap_type={heatmap_type!r} is not '
                             f'one of {self._heatmap_types}')
        if not sigma > 0:
            raise ValueError(f'{name}: sigma must be positive, got {sigma}')
        if not radius_factor > 0:
            raise ValueError(f'{name}: radius_factor must be positive, got '
                             f'{radius_factor}')
        if blur_kernel_size < 1 or blur_kernel_size % 2 == 0:
            raise ValueError(f'{name}: blur_kernel_size must be a positive '
                             f'odd integer, got {blur_kernel_size}')
        if min(heatmap_size) < 2 or min(input_size) < 2:
            raise ValueError(f'{name}: input_size {input_size} and '
                             f'heatmap_size {heatmap_size} must be at least '
                             '2 pixels (UDP divides by size - 1)')
        self.input_size = tuple(input_size)
        self.heatmap_size = tuple(heatmap_size)
        self.heatmap_type = heatmap_type
        self.sigma = sigma
        self.radius_factor = radius_factor
        self.blur_kernel_size = blur_kernel_size
        self.zero_weight_outside = zero_weight_outside
        self.guarded_decoding = guarded_decoding
        self.scale_factor = ((np.array(input_size) - 1) /
                             (np.array(heatmap_size) - 1)).astype(np.float32)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode keypoints into heatmaps.

        Args:
            keypoints (np.ndarray): Keypoints in input pixels, (N, K, D);
                N must be 1 for ``'combined'``
            keypoints_visible (np.ndarray): Visibilities in shape (N, K)

        Returns:
            dict:
            - heatmaps (np.ndarray): float32 in shape (C, H, W)
            - keypoint_weights (np.ndarray): float32 in shape (N, K)
        """
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        keypoints = keypoints[..., :2] / self.scale_factor
        if self.heatmap_type == 'gaussian':
            heatmaps, keypoint_weights = gaussian_heatmaps(
                self.heatmap_size, keypoints, keypoints_visible, self.sigma,
                centering='udp')
        else:
            if keypoints.shape[0] != 1:
                raise ValueError(
                    f'{self.__class__.__name__}: combined targets encode one '
                    f'instance at a time, got {keypoints.shape[0]}')
            heatmaps, keypoint_weights = offset_heatmaps(
                self.heatmap_size, keypoints, keypoints_visible,
                self.radius_factor)
            if not self.zero_weight_outside:
                keypoint_weights = np.asarray(
                    keypoints_visible, dtype=np.float32).copy()
        return dict(heatmaps=heatmaps, keypoint_weights=keypoint_weights)

    def decode(self, encoded: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode the heatmaps of one instance.

        Args:
            encoded (np.ndarray): Heatmaps in shape (C, H, W); any strides,
                float32 or float64 (decoded in that precision)

        Returns:
            tuple:
            - keypoints (np.ndarray): float32 in input-size units
                (``x_heatmap / (W - 1) * w``), shape (1, K, 2)
            - scores (np.ndarray): float32 in shape (1, K)
        """
        keypoints, scores = self.decode_tensor(as_float_tensor(encoded)[None])
        return keypoints.numpy(), scores.numpy()

    def batch_decode(self, batch_heatmaps: Tensor
                     ) -> Tuple[List[np.ndarray], List[np.ndarray]]:
        """Decode a batch of heatmaps (used by MMPose's heads).

        Args:
            batch_heatmaps (Tensor | np.ndarray): Heatmaps in shape
                (B, C, H, W)

        Returns:
            tuple: lists of B keypoint arrays (1, K, 2) and B score arrays
            (1, K), as :meth:`decode`
        """
        return split_instances(
            *self.decode_tensor(as_float_tensor(batch_heatmaps)))

    @torch.no_grad()
    def decode_tensor(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
        """Batched decoding on the heatmaps' device.

        Args:
            heatmaps (Tensor): Heatmaps in shape (B, C, H, W)

        Returns:
            tuple:
            - keypoints (Tensor): float32 in input-size units, (B, K, 2)
            - scores (Tensor): float32 in shape (B, K)
        """
        heatmaps = as_float_tensor(heatmaps)
        check_heatmap_shape(self, heatmaps, self.heatmap_size,
                            3 if self.heatmap_type == 'combined' else 1)
        B, C, H, W = heatmaps.shape
        if self.heatmap_type == 'gaussian':
            locs, scores = get_heatmap_maximum_torch(heatmaps)
            warn_nan_maxima(self, scores.isnan(), 'heatmap')
            kernel = gaussian_kernel1d(self.blur_kernel_size, heatmaps.device)
            if self.guarded_decoding:
                keypoints = refine_maxima(heatmaps, locs, scores, 'udp',
                                          kernel, (1e-3, 50.))
            else:
                keypoints = refine_maxima_mmpose(
                    heatmaps, mmpose_maxima(locs, scores), 'udp', kernel)
        else:
            keypoints, scores = self._decode_combined(heatmaps)
            warn_nan_maxima(self, scores.isnan() | keypoints.isnan().any(-1),
                            'disk and offset map triple')
        scale = heatmaps.new_tensor(self.input_size) / heatmaps.new_tensor(
            [W - 1, H - 1])
        return (keypoints * scale).float(), scores

    def _decode_combined(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
        """Arg-max of the blurred disk maps plus the offsets read there (as
        MMPose: OpenCV's Gaussian blur with reflected borders, size
        ``2 * blur_kernel_size + 1``). Returns heatmap-pixel keypoints
        (B, K, 2) and the blurred maxima (B, K)."""
        B, C, H, W = heatmaps.shape
        K = C // 3
        maps = heatmaps.reshape(B, K, 3, H, W)
        kernel = gaussian_kernel1d(2 * self.blur_kernel_size + 1,
                                   heatmaps.device).to(heatmaps.dtype)
        disks = gaussian_blur_maps(maps[:, :, 0].reshape(B * K, H, W), kernel,
                                   kernel, border='reflect101')
        locs, scores = get_heatmap_maximum_torch(disks.reshape(B, K, H, W))
        if not self.guarded_decoding:
            locs = mmpose_maxima(locs, scores)
        radius = self.radius_factor * max(W, H)
        # index into MMPose's flattened (K, H, W) offset maps; -1 locations
        # wrap around as NumPy's indexing does
        index = (locs[..., 1] * W + locs[..., 0] +
                 H * W * torch.arange(K, device=heatmaps.device))
        index = index % (K * H * W)  # (B, K)
        offsets = torch.stack([
            maps[:, :, axis].reshape(B, K * H * W).gather(-1, index)
            for axis in (1, 2)
        ], dim=-1)  # (B, K, 2)
        return locs.to(heatmaps.dtype) + offsets * radius, scores
