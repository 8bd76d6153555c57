"""SimDR: keypoints as two 1-D classification vectors (x and y)."""
from typing import Optional, Tuple, Union

import numpy as np
import torch
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.registry import KEYPOINT_CODECS
from torch import Tensor

from .utils import (as_float_tensor, first_argmax_numpy, gaussian_kernel1d,
                     gaussian_labels_1d, get_vector_maximum_torch,
                     refine_maxima, refine_maxima_mmpose, warn_nan_maxima)


@KEYPOINT_CODECS.register_module()
class SimDRLabel(BaseKeypointCodec):
    r"""SimDR labels: one x vector of ``round(w * k)`` bins and one y vector
    of ``round(h * k)`` bins per keypoint.

    See `SimCC: a Simple Coordinate Classification Perspective for Human Pose
    Estimation`_ (Li et al., ECCV 2022; first titled "Is 2D Heatmap Even
    Necessary for Human Pose Estimation?", SimDR). A keypoint at input x is
    the bin ``round(x * k)`` (split ratio ``k``, usually 2 or 3), so the
    quantisation error is below ``1 / (2k)`` pixels. Labels are one-hot
    (trained with cross-entropy, :class:`SimDRCrossEntropyLoss`) or Gaussian
    with ``sigma`` bins (trained with MMPose's ``KLDiscretLoss``). Decoding
    is the arg-max divided by k, optionally refined below one bin with the
    1-D DARK step of MMPose's ``SimCCLabel(use_dark=True)``.

    A drop-in for MMPose's ``SimCCLabel``: the same positional and keyword
    arguments with the same meaning (``smoothing_type``, ``sigma`` as one
    value or (x, y), ``simcc_split_ratio``, ``label_smooth_weight``,
    ``normalize``, ``use_dark``, ``decode_visibility``, ``decode_beta``), the
    same encoded keys, and the ``(scores, visibility)`` pair that MMPose's
    heads unpack when ``decode_visibility=True``; changing ``type=`` in an
    MMPose config is enough. Differences on purpose (docs/codecs.md, each
    with a switch back to MMPose's behaviour): keypoints whose bin lies
    outside the vectors get weight 0 in Gaussian mode too
    (``zero_weight_outside=False``: ``SimCCLabel`` keeps them while any part
    of the 3-sigma window is inside, training the border bins towards
    them); and ``guarded_decoding`` (``False``: MMPose's decoding): maxima
    that are not positive keep their arg-max bin (``SimCCLabel`` writes -1,
    i.e. -1/k pixels, even for logits, whose maxima are often negative),
    and the refinement takes only concave steps of at most two bins, none in
    the first and last two bins, where MMPose's stencil reads replicated
    edge values and its step is unbounded (112 px for sigma 4.9).

    Where that stops (tests/codecs/test_stated_edges.py): with refinement,
    decoding is never farther from the truth than ``SimCCLabel``'s for
    keypoints inside the input; for keypoints up to 12 px outside it, whose
    labels peak in the first or last bin, ours stays there while MMPose's
    step happens to move outwards: the test bounds it at 1.5 px (sigma 6)
    and 3.35 px (sigma (4.9, 5.66)) farther; ``benchmarks/codec_edges.py
    outside`` records the largest it finds. A vector holding NaN gives
    score NaN (as
    ``SimCCLabel``) and a ``RuntimeWarning`` naming the instance and
    keypoint.

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
        smoothing_type (str): ``'gaussian'`` or ``'standard'`` (one-hot,
            optionally smoothed by ``label_smooth_weight``). Defaults to
            ``'gaussian'``
        sigma (float | tuple): Gaussian sigma in bins, one value or (x, y).
            Defaults to 6.0
        simcc_split_ratio (float): Bins per input pixel k > 0. Defaults to
            2.0
        label_smooth_weight (float): For ``'standard'`` labels: the weight
            ``w`` in [0, 1] spread as ``w / (L - 1)`` over the vector, the
            keypoint's bin getting ``1 - w``. Defaults to 0.0
        normalize (bool): Divide Gaussian labels by ``sigma * sqrt(2 pi)``
            (so that they sum to about 1, as ``KLDiscretLoss`` expects).
            Defaults to ``True``
        use_dark (bool): Sub-bin refinement of the arg-max (the 1-D DARK
            step). Defaults to ``False``
        decode_visibility (bool): Also decode a visibility: the smaller of
            the x and y maxima of ``softmax(v * decode_beta * sigma)``;
            decoding then returns ``(keypoints, (scores, visibility))``.
            Defaults to ``False``
        decode_beta (float): See ``decode_visibility``. Defaults to 150.0
        label_type (str, optional): Keyword-only alias of
            ``smoothing_type``: ``'gaussian'`` or ``'one-hot'``
            (= ``'standard'``)
        refine (bool, optional): Keyword-only alias of ``use_dark``
        blur_kernel_size (int, optional): Modulation kernel size of the
            refinement; ``None`` derives it from sigma as ``SimCCLabel`` does
            (``(20 sigma - 7) // 3``, made odd)
        zero_weight_outside (bool): Weight 0 for keypoints whose bin is
            outside the vector also for Gaussian labels. ``False``:
            ``SimCCLabel``'s rule. Defaults to ``True``
        guarded_decoding (bool): Keep the arg-max of non-positive maxima and
            bound the refinement (see
            :mod:`mmpose_ext.codecs.utils.taylor_refinement`). ``False``:
            ``SimCCLabel``'s decoding (equal to 1e-3 px wherever its Taylor
            step is well conditioned, NaN inputs included). Defaults to
            ``True``

    .. _`SimCC: a Simple Coordinate Classification Perspective for Human
       Pose Estimation`: https://arxiv.org/abs/2107.03332
    """

    label_mapping_table = dict(
        keypoint_x_labels='keypoint_x_labels',
        keypoint_y_labels='keypoint_y_labels',
        keypoint_weights='keypoint_weights',
    )

    _smoothing_types = ('gaussian', 'standard')
    _label_types = dict(gaussian='gaussian', **{'one-hot': 'standard'})

    def __init__(self,
                 input_size: Tuple[int, int],
                 smoothing_type: str = 'gaussian',
                 sigma: Union[float, Tuple[float, float]] = 6.0,
                 simcc_split_ratio: float = 2.0,
                 label_smooth_weight: float = 0.0,
                 normalize: bool = True,
                 use_dark: bool = False,
                 decode_visibility: bool = False,
                 decode_beta: float = 150.0,
                 *,
                 label_type: Optional[str] = None,
                 refine: Optional[bool] = None,
                 blur_kernel_size: Optional[int] = None,
                 zero_weight_outside: bool = True,
                 guarded_decoding: bool = True) -> None:
        super().__init__()
        name = self.__class__.__name__
        if label_type is not None:
            if label_type not in self._label_types:
                raise ValueError(
                    f'{name}: label_type={label_type!r} is not one of '
                    f'{tuple(self._label_types)}')
            if smoothing_type not in ('gaussian',
                                      self._label_types[label_type]):
                raise ValueError(
                    f'{name}: label_type={label_type!r} contradicts '
                    f'smoothing_type={smoothing_type!r}; give one of them')
            smoothing_type = self._label_types[label_type]
        if smoothing_type not in self._smoothing_types:
            raise ValueError(f'{name}: smoothing_type={smoothing_type!r} is '
                             f'not one of {self._smoothing_types}')
        if refine is not None:
            if use_dark and not refine:
                raise ValueError(f'{name}: refine={refine} contradicts '
                                 f'use_dark={use_dark}; give one of them')
            use_dark = refine
        if not 0 <= label_smooth_weight <= 1:
            raise ValueError(f'{name}: label_smooth_weight must be in [0, 1], '
                             f'got {label_smooth_weight}')
        if label_smooth_weight > 0 and smoothing_type != 'standard':
            raise ValueError(
                f'{name}: label_smooth_weight={label_smooth_weight} needs '
                f"smoothing_type='standard', got {smoothing_type!r}")
        if not simcc_split_ratio > 0:
            raise ValueError(f'{name}: simcc_split_ratio must be positive, '
                             f'got {simcc_split_ratio}')
        sigma = np.broadcast_to(np.asarray(sigma, dtype=np.float64), (2, ))
        if not (sigma > 0).all():
            raise ValueError(f'{name}: sigma must be positive, got {sigma}')
        if not decode_beta > 0:
            raise ValueError(f'{name}: decode_beta must be positive, got '
                             f'{decode_beta}')
        if blur_kernel_size is not None and (blur_kernel_size < 1
                                             or blur_kernel_size % 2 == 0):
            raise ValueError(f'{name}: blur_kernel_size must be a positive '
                             f'odd integer, got {blur_kernel_size}')
        self.input_size = tuple(input_size)
        self.smoothing_type = smoothing_type
        self.label_type = 'gaussian' if smoothing_type == 'gaussian' \
            else 'one-hot'
        self.simcc_split_ratio = simcc_split_ratio
        self.label_smooth_weight = label_smooth_weight
        self.sigma = sigma.copy()
        self.normalize = normalize
        self.use_dark = self.refine = bool(use_dark)
        self.decode_visibility = decode_visibility
        self.decode_beta = decode_beta
        self.zero_weight_outside = zero_weight_outside
        self.guarded_decoding = guarded_decoding
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
                (``zero_weight_outside=False``, Gaussian labels: where the
                3-sigma window misses the vector)
        """
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        Lx, Ly = self.vector_lengths
        # rounded in the keypoints' precision, as SimCCLabel
        bins = np.around(keypoints[..., :2] * self.simcc_split_ratio)
        if self.smoothing_type == 'standard' or self.zero_weight_outside:
            inside = ((bins >= 0) & (bins < (Lx, Ly))).all(axis=-1)
        else:
            # SimCCLabel's rule: some of [bin - 3 sigma, bin + 3 sigma + 1]
            # overlaps the vector
            radius = 3 * self.sigma
            inside = ~((bins - radius >= (Lx, Ly)) |
                       (bins + radius + 1 < 0)).any(axis=-1)
        visible = keypoints_visible >= 0.5
        weights = np.asarray(keypoints_visible, dtype=np.float32).copy()
        weights[visible & ~inside] = 0
        active = visible & inside

        if self.smoothing_type == 'standard':
            labels = []
            for axis, length in enumerate((Lx, Ly)):
                hot = np.arange(length) == bins[..., axis:axis + 1]
                w = self.label_smooth_weight
                label = np.where(hot, 1.0 - w, w / (length - 1) if w else 0.)
                labels.append((label * active[..., None]).astype(np.float32))
            x_labels, y_labels = labels
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

    def decode(self, simcc_x: np.ndarray, simcc_y: np.ndarray) -> tuple:
        """Decode x and y vectors.

        Args:
            simcc_x (np.ndarray): x vectors in shape (K, Lx) or (N, K, Lx);
                any strides, float32 or float64 (decoded in that precision)
            simcc_y (np.ndarray): y vectors in shape (K, Ly) or (N, K, Ly)

        Returns:
            tuple:
            - keypoints (np.ndarray): float32 in input pixels, (N, K, 2)
                (N = 1 for 2-D input)
            - scores (np.ndarray): ``min(max(x), max(y))`` in shape (N, K);
                with ``decode_visibility`` the pair ``(scores, visibility)``,
                both (N, K)
        """
        simcc_x, simcc_y = as_float_tensor(simcc_x), as_float_tensor(simcc_y)
        if simcc_x.dim() == 2:
            simcc_x, simcc_y = simcc_x[None], simcc_y[None]
        keypoints, scores, visibility = self._decode_arrays(simcc_x, simcc_y)
        if self.decode_visibility:
            return keypoints, (scores, visibility)
        return keypoints, scores

    def batch_decode(self, batch_simcc_x: Tensor,
                     batch_simcc_y: Tensor) -> tuple:
        """Decode a batch of vectors (used by MMPose's heads).

        Args:
            batch_simcc_x (Tensor | np.ndarray): x vectors in shape
                (B, K, Lx)
            batch_simcc_y (Tensor | np.ndarray): y vectors in shape
                (B, K, Ly)

        Returns:
            tuple: lists of B keypoint arrays (1, K, 2) in input pixels and B
            score arrays (1, K); with ``decode_visibility`` the second item
            is the pair (score list, visibility list), as MMPose's heads
            expect
        """
        keypoints, scores, visibility = self._decode_arrays(
            as_float_tensor(batch_simcc_x), as_float_tensor(batch_simcc_y))
        # iterating a (B, 1, ...) view yields the (1, ...) views in C
        keypoints, scores = list(keypoints[:, None]), list(scores[:, None])
        if self.decode_visibility:
            return keypoints, (scores, list(visibility[:, None]))
        return keypoints, scores

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
        keypoints, scores, _ = self._decode(
            as_float_tensor(simcc_x), as_float_tensor(simcc_y))
        return keypoints, scores

    def _decode(self, simcc_x: Tensor,
                simcc_y: Tensor) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
        """:meth:`decode_tensor` plus the visibility (B, K) when
        ``decode_visibility`` (else ``None``), on detached vectors (from
        :func:`as_float_tensor`)."""
        self._check_lengths(simcc_x, simcc_y)
        if not self.use_dark and simcc_x.is_cpu and simcc_y.is_cpu:
            keypoints, scores = map(
                torch.from_numpy,
                self._decode_argmax_numpy(simcc_x.numpy(), simcc_y.numpy()))
        else:
            keypoints, scores = self._decode_torch(simcc_x, simcc_y)
        return keypoints, scores, self._visibility(simcc_x, simcc_y)

    def _decode_arrays(self, simcc_x: Tensor, simcc_y: Tensor
                       ) -> Tuple[np.ndarray, np.ndarray,
                                  Optional[np.ndarray]]:
        """:meth:`_decode` as NumPy arrays, for :meth:`decode` and
        :meth:`batch_decode`.

        Without refinement this is two arg-max searches and a few small ops
        on (B, K) results. The searches read every bin once and are most of
        the time, so on CPU everything else stays in NumPy too, on the
        tensors' memory (a NumPy op costs about a microsecond, a torch op
        five, and each conversion between them one or two).
        """
        if not (self.use_dark or self.decode_visibility) and \
                simcc_x.is_cpu and simcc_y.is_cpu:
            x, y = simcc_x.numpy(), simcc_y.numpy()
            self._check_lengths(x, y)
            return (*self._decode_argmax_numpy(x, y), None)
        keypoints, scores, visibility = self._decode(simcc_x, simcc_y)
        if visibility is not None:
            visibility = visibility.cpu().numpy()
        return keypoints.cpu().numpy(), scores.cpu().numpy(), visibility

    def _check_lengths(self, simcc_x: Union[Tensor, np.ndarray],
                       simcc_y: Union[Tensor, np.ndarray]) -> None:
        """Raise a ValueError naming the codec unless the vectors are
        (B, K, Lx) and (B, K, Ly) with this codec's lengths."""
        for axis, vectors, length in zip('xy', (simcc_x, simcc_y),
                                         self.vector_lengths):
            if vectors.ndim != 3 or vectors.shape[-1] != length:
                raise ValueError(
                    f'{self.__class__.__name__}: expected {axis} vectors '
                    f'(B, K, {length}) for input_size={self.input_size} and '
                    f'simcc_split_ratio={self.simcc_split_ratio}, got '
                    f'{tuple(vectors.shape)}')

    def _visibility(self, simcc_x: Tensor,
                    simcc_y: Tensor) -> Optional[Tensor]:
        """With ``decode_visibility``: the smaller of the x and y maxima of
        ``softmax(v * decode_beta * sigma)``, (B, K); else ``None``."""
        if not self.decode_visibility:
            return None
        # as SimCCLabel rounds: v * beta in the input's precision, then
        # times its float64 sigma
        return torch.minimum(*[
            torch.softmax((v * self.decode_beta).double() * s,
                          dim=-1).amax(-1)
            for v, s in zip((simcc_x, simcc_y), self.sigma)
        ]).to(simcc_x.dtype)

    def _decode_argmax_numpy(self, simcc_x: np.ndarray, simcc_y: np.ndarray
                             ) -> Tuple[np.ndarray, np.ndarray]:
        """Keypoints (B, K, 2) float32 in input pixels and scores (B, K)
        of (B, K, Lx) and (B, K, Ly) vectors, without refinement: the NumPy
        twin of :meth:`_decode_torch` for CPU."""
        index_x, max_x = first_argmax_numpy(simcc_x)
        index_y, max_y = first_argmax_numpy(simcc_y)
        if self.guarded_decoding:
            scores = np.minimum(max_x, max_y)  # NaN if either is NaN
            nan = np.isnan(scores)
        else:
            # SimCCLabel's min: max(y) where max(x) > max(y), else max(x)
            # (so a NaN in y alone keeps max(x))
            scores = np.where(max_x > max_y, max_y, max_x)
            nan = np.isnan(max_x) | np.isnan(max_y)
        warn_nan_maxima(self, nan, 'x/y vector pair')
        keypoints = np.empty(index_x.shape + (2, ), dtype=np.float32)
        keypoints[..., 0] = index_x
        keypoints[..., 1] = index_y
        if not self.guarded_decoding:
            keypoints[scores <= 0] = -1  # SimCCLabel's rule
        # in float32, as SimCCLabel divides its float32 bins
        keypoints /= self.simcc_split_ratio
        return keypoints, scores

    def _decode_torch(self, simcc_x: Tensor,
                      simcc_y: Tensor) -> Tuple[Tensor, Tensor]:
        """Keypoints (B, K, 2) float32 in input pixels and scores (B, K)
        on the vectors' device, refined with ``use_dark``."""
        index_x, max_x = get_vector_maximum_torch(simcc_x)
        index_y, max_y = get_vector_maximum_torch(simcc_y)
        if self.guarded_decoding:
            scores = torch.minimum(max_x, max_y)
            warn_nan_maxima(self, scores.isnan(), 'x/y vector pair')
        else:
            scores = torch.where(max_x > max_y, max_y, max_x)
            warn_nan_maxima(self, max_x.isnan() | max_y.isnan(),
                            'x/y vector pair')
        index = torch.stack((index_x, index_y), dim=-1)  # (B, K, 2)
        if not self.guarded_decoding:
            # SimCCLabel: -1 where min(max(x), max(y)) <= 0, then the
            # unguarded step from there
            index = index.masked_fill((scores <= 0)[..., None], -1)
        if self.use_dark:
            keypoints = torch.stack([
                self._refine(vectors, index[..., axis],
                             (max_x, max_y)[axis], kernel_size)
                for axis, (vectors, kernel_size) in enumerate(
                    zip((simcc_x, simcc_y), self.blur_kernel_size))
            ], dim=-1).float()
        else:
            keypoints = index.float()
        keypoints /= self.simcc_split_ratio
        return keypoints, scores

    def _refine(self, vectors: Tensor, index: Tensor, maxima: Tensor,
                kernel_size: int) -> Tensor:
        """Sub-bin location of the maxima of one axis' vectors.

        Args:
            vectors (Tensor): (B, K, L)
            index (Tensor): long bins (B, K); -1 where SimCCLabel writes it
                (``guarded_decoding=False``)
            maxima (Tensor): the vectors' maxima (B, K)
            kernel_size (int): Modulation kernel size

        Returns:
            Tensor: bins (B, K) in the vectors' dtype
        """
        kernel = gaussian_kernel1d(kernel_size, vectors.device)
        locs = torch.stack((index, torch.zeros_like(index)), dim=-1)
        if self.guarded_decoding:
            coord = refine_maxima(vectors[:, :, None], locs, maxima, 'simcc',
                                  kernel, (1e-3, 50.))
        else:
            coord = refine_maxima_mmpose(vectors[:, :, None], locs, 'simcc',
                                         kernel)
        return coord[..., 0]
