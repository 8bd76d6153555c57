"""SimDR: keypoints as two 1-D classification vectors (x and y)."""
from typing import List, Optional, Tuple, Union

import numpy as np
import torch
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.registry import KEYPOINT_CODECS
from torch import Tensor

from .utils import (gaussian_kernel1d, gaussian_labels_1d,
                     get_vector_maximum_torch, refine_maxima, split_instances)


@KEYPOINT_CODECS.register_module()
class SimDRLabel(BaseKeypointCodec):
    r"""SimDR labels: one x vector of ``round(w * k)`` bins and one y vector
    of ``round(h * k)`` bins per keypoint.

    See `SimCC: a Simple Coordinate Classification Perspective for Human Pose
    Estimation`_ (Li et al., ECCV 2022; first titled "Is 2D Heatmap Even
    Necessary for Human Pose Estimation?", SimDR). A keypoint at input x is
    the bin ``round(x * k)`` (split ratio ``k >= 1``), so the quantisation
    error is below ``1 / (2k)`` pixels. Labels are one-hot (trained with
    cross-entropy, :class:`SimDRCrossEntropyLoss`) or Gaussian with ``sigma``
    bins (trained with MMPose's ``KLDiscretLoss``). Decoding is the arg-max
    divided by k, optionally refined below one bin with the 1-D DARK step of
    MMPose's ``SimCCLabel(use_dark=True)``.

    The encoded keys are those of MMPose's ``SimCCLabel``, so MMPose's
    ``SimCCHead`` and :class:`SimDRHead` train with either. Differences from
    ``SimCCLabel`` on purpose (see docs/codecs.md): keypoints whose bin lies
    outside the vectors get weight 0 in Gaussian mode too (``SimCCLabel``
    keeps them while any part of the 3-sigma window is inside, training the
    border bins towards them); maxima that are not positive keep their
    arg-max bin (``SimCCLabel`` writes -1, i.e. -1/k pixels, even for
    logits, whose maxima are often negative); and the refinement skips such
    maxima and takes only concave steps that end inside the vector.

    Note:

        - instance number: N
        - keypoint number: K
        - keypoint dimension: D
        - input size: [w, h]; vector lengths: Lx = round(w * k),
          Ly = round(h * k)
        - keypoints are in input pixels; bin i covers input x = i / k

    Encoded:

        - keypoint_x_labels (np.ndarray): float32 in shape (N, K, Lx)
        - keypoint_y_labels (np.ndarray): float32 in shape (N, K, Ly)
        - keypoint_weights (np.ndarray): float32 in shape (N, K)

    Args:
        input_size (tuple): Input image size [w, h]
        simcc_split_ratio (float): Bins per input pixel, k >= 1. Defaults
            to 2.0
        label_type (str): ``'gaussian'`` or ``'one-hot'``. Defaults to
            ``'gaussian'``
        sigma (float | tuple): Gaussian sigma in bins, one value or (x, y).
            Defaults to 6.0
        normalize (bool): Divide Gaussian labels by ``sigma * sqrt(2 pi)``
            (so that they sum to about 1, as ``KLDiscretLoss`` expects).
            Defaults to ``True``
        refine (bool): Sub-bin refinement of the arg-max. Defaults to
            ``False``
        blur_kernel_size (int, optional): Modulation kernel size of the
            refinement; ``None`` derives it from sigma as ``SimCCLabel`` does
            (``(20 sigma - 7) // 3``, made odd)

    .. _`SimCC: a Simple Coordinate Classification Perspective for Human
       Pose Estimation`: https://arxiv.org/abs/2107.03332
    """

    label_mapping_table = dict(
        keypoint_x_labels='keypoint_x_labels',
        keypoint_y_labels='keypoint_y_labels',
        keypoint_weights='keypoint_weights',
    )

    _label_types = ('gaussian', 'one-hot')

    def __init__(self,
                 input_size: Tuple[int, int],
                 simcc_split_ratio: float = 2.0,
                 label_type: str = 'gaussian',
                 sigma: Union[float, Tuple[float, float]] = 6.0,
                 normalize: bool = True,
                 refine: bool = False,
                 blur_kernel_size: Optional[int] = None) -> None:
        super().__init__()
        name = self.__class__.__name__
        if label_type not in self._label_types:
            raise ValueError(f'{name}: label_type={label_type!r} is not one '
                             f'of {self._label_types}')
        if not simcc_split_ratio >= 1:
            raise ValueError(f'{name}: simcc_split_ratio must be >= 1, got '
                             f'{simcc_split_ratio}')
        sigma = np.broadcast_to(np.asarray(sigma, dtype=np.float64), (2, ))
        if not (sigma > 0).all():
            raise ValueError(f'{name}: sigma must be positive, got {sigma}')
        if blur_kernel_size is not None and (blur_kernel_size < 1
                                             or blur_kernel_size % 2 == 0):
            raise ValueError(f'{name}: blur_kernel_size must be a positive '
                             f'odd integer, got {blur_kernel_size}')
        self.input_size = tuple(input_size)
        self.simcc_split_ratio = simcc_split_ratio
        self.label_type = label_type
        self.sigma = sigma.copy()
        self.normalize = normalize
        self.refine = refine
        if blur_kernel_size is None:
            # SimCCLabel's rule: (20 sigma - 7) // 3, rounded down to odd
            sizes = ((self.sigma * 20 - 7) // 3).astype(int)
            sizes -= (sizes % 2 == 0)
            self.blur_kernel_size = tuple(int(max(s, 1)) for s in sizes)
        else:
            self.blur_kernel_size = (blur_kernel_size, blur_kernel_size)
        self.vector_lengths = tuple(
            int(np.around(s * simcc_split_ratio)) for s in input_size)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode keypoints into x and y labels.

        Args:
            keypoints (np.ndarray): Keypoints in input pixels, (N, K, D)
            keypoints_visible (np.ndarray): Visibilities in shape (N, K)

        Returns:
            dict:
            - keypoint_x_labels (np.ndarray): float32 in shape (N, K, Lx)
            - keypoint_y_labels (np.ndarray): float32 in shape (N, K, Ly)
            - keypoint_weights (np.ndarray): float32 in shape (N, K): the
                visibility, zeroed where the keypoint's bin is outside
        """
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        Lx, Ly = self.vector_lengths
        bins = np.around(keypoints[..., :2] * self.simcc_split_ratio)
        inside = ((bins >= 0) & (bins < (Lx, Ly))).all(axis=-1)
        visible = keypoints_visible >= 0.5
        weights = keypoints_visible.astype(np.float32).copy()
        weights[visible & ~inside] = 0
        active = visible & inside

        if self.label_type == 'one-hot':
            x_labels = (np.arange(Lx) == bins[..., 0:1]) & active[..., None]
            y_labels = (np.arange(Ly) == bins[..., 1:2]) & active[..., None]
            x_labels = x_labels.astype(np.float32)
            y_labels = y_labels.astype(np.float32)
        else:
            x_labels = gaussian_labels_1d(Lx, bins[..., 0], active,
                                          self.sigma[0])
            y_labels = gaussian_labels_1d(Ly, bins[..., 1], active,
                                          self.sigma[1])
            if self.normalize:
                x_labels /= self.sigma[0] * np.sqrt(2 * np.pi)
                y_labels /= self.sigma[1] * np.sqrt(2 * np.pi)
        return dict(
            keypoint_x_labels=x_labels,
            keypoint_y_labels=y_labels,
            keypoint_weights=weights)

    def decode(self, simcc_x: np.ndarray,
               simcc_y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode x and y vectors.

        Args:
            simcc_x (np.ndarray): x vectors in shape (K, Lx) or (N, K, Lx)
            simcc_y (np.ndarray): y vectors in shape (K, Ly) or (N, K, Ly)

        Returns:
            tuple:
            - keypoints (np.ndarray): float32 in input pixels, (N, K, 2)
                (N = 1 for 2-D input)
            - scores (np.ndarray): ``min(max(x), max(y))`` in shape (N, K)
        """
        simcc_x, simcc_y = torch.from_numpy(simcc_x), torch.from_numpy(simcc_y)
        if simcc_x.dim() == 2:
            simcc_x, simcc_y = simcc_x[None], simcc_y[None]
        keypoints, scores = self.decode_tensor(simcc_x, simcc_y)
        return keypoints.numpy(), scores.numpy()

    def batch_decode(self, batch_simcc_x: Tensor, batch_simcc_y: Tensor
                     ) -> Tuple[List[np.ndarray], List[np.ndarray]]:
        """Decode a batch of vectors (used by MMPose's heads).

        Args:
            batch_simcc_x (Tensor): x vectors in shape (B, K, Lx)
            batch_simcc_y (Tensor): y vectors in shape (B, K, Ly)

        Returns:
            tuple: lists of B keypoint arrays (1, K, 2) in input pixels and B
            score arrays (1, K)
        """
        return split_instances(
            *self.decode_tensor(batch_simcc_x, batch_simcc_y))

    @torch.no_grad()
    def decode_tensor(self, simcc_x: Tensor,
                      simcc_y: Tensor) -> Tuple[Tensor, Tensor]:
        """Batched decoding on the vectors' device.

        Args:
            simcc_x (Tensor): x vectors in shape (B, K, Lx)
            simcc_y (Tensor): y vectors in shape (B, K, Ly)

        Returns:
            tuple:
            - keypoints (Tensor): float32 in input pixels, (B, K, 2)
            - scores (Tensor): ``min(max(x), max(y))`` in shape (B, K)
        """
        for axis, vectors, length in zip('xy', (simcc_x, simcc_y),
                                         self.vector_lengths):
            if vectors.dim() != 3 or vectors.shape[-1] != length:
                raise ValueError(
                    f'{self.__class__.__name__}: expected {axis} vectors '
                    f'(B, K, {length}) for input_size={self.input_size} and '
                    f'simcc_split_ratio={self.simcc_split_ratio}, got '
                    f'{tuple(vectors.shape)}')
        coords, maxima = [], []
        for vectors, kernel_size in zip((simcc_x, simcc_y),
                                        self.blur_kernel_size):
            vectors = vectors.float()
            index, vals = get_vector_maximum_torch(vectors)
            coord = index.float()
            if self.refine:
                locs = torch.stack((index, torch.zeros_like(index)), dim=-1)
                kernel = gaussian_kernel1d(kernel_size, vectors.device)
                coord = refine_maxima(vectors[:, :, None], locs, vals,
                                      'simcc', kernel, (1e-3, 50.))[..., 0]
            coords.append(coord)
            maxima.append(vals)
        keypoints = torch.stack(coords, dim=-1) / self.simcc_split_ratio
        return keypoints.float(), torch.minimum(*maxima)
