"""Recording and drawing TFPose's decoder attention: the q2q attention
matrix of each layer (paper Fig. 6) and the p2q sampling points and weights
of one keypoint (paper Fig. 7)."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import Tensor

__all__ = ['TFPoseAttentionRecorder', 'draw_q2q', 'draw_p2q']


class TFPoseAttentionRecorder:
    """Records the decoder attention of a :class:`TFPoseHead` while it runs.

    Use as a context manager around the forward pass(es); hooks are removed on
    exit. Every forward of the head appends one entry per decoder layer.

    After a forward, for decoder layer d (0-based) of call c:

    - ``q2q[c][d]``: (B, K, K), the query-to-query attention averaged over
      heads (row: attending keypoint, column: attended one; rows sum to 1),
      as ``nn.MultiheadAttention`` returns it; ``None`` without q2q.
    - ``sampling_locations[c][d]``: (B, K, H, L, P, 2), where the p2q
      attention samples, (x, y) normalized to the input image, (0, 0) its
      top-left corner, (1, 1) its bottom-right; points outside [0, 1] read
      zeros (MMCV samples with zero padding).
    - ``attention_weights[c][d]``: (B, K, H, L, P), the weights of those
      samples; for each head they sum to 1 over levels and points.
    - ``reference_points[c][d]``: (B, K, 2), the point layer d samples
      around: the keypoint estimate ``y_{d-1}``, normalized like the
      locations.

    The locations and weights are rebuilt from the outputs of the attention's
    ``sampling_offsets`` and ``attention_weights`` projections and its
    reference points, the way MMCV's ``MultiScaleDeformableAttention`` builds
    them (tested against the values MMCV computes with).

    Args:
        head (TFPoseHead): The head to record.
    """

    def __init__(self, head) -> None:
        self.head = head
        self.q2q: List[List[Optional[Tensor]]] = []
        self.sampling_locations: List[List[Tensor]] = []
        self.attention_weights: List[List[Tensor]] = []
        self.reference_points: List[List[Tensor]] = []
        self._handles = []
        self._pending: Dict = {}

    def __enter__(self) -> 'TFPoseAttentionRecorder':
        layers = self.head.query_decoder.layers
        for d, layer in enumerate(layers):
            attn = layer.cross_attn
            if d == 0:
                self._handles.append(
                    layer.register_forward_pre_hook(self._new_call))
            if layer.self_attn is not None:
                self._handles.append(
                    layer.self_attn.attn.register_forward_hook(
                        self._q2q_hook(d)))
            self._handles.append(
                attn.register_forward_pre_hook(
                    self._reference_hook(d), with_kwargs=True))
            self._handles.append(
                attn.sampling_offsets.register_forward_hook(
                    self._store(d, 'offsets')))
            self._handles.append(
                attn.attention_weights.register_forward_hook(
                    self._store(d, 'logits')))
            self._handles.append(
                attn.register_forward_hook(self._p2q_hook(d, attn)))
        return self

    def __exit__(self, *exc) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _new_call(self, module, args) -> None:
        num_layers = len(self.head.query_decoder.layers)
        self.q2q.append([None] * num_layers)
        self.sampling_locations.append([None] * num_layers)
        self.attention_weights.append([None] * num_layers)
        self.reference_points.append([None] * num_layers)

    def _q2q_hook(self, d):

        def hook(module, args, output):
            self.q2q[-1][d] = output[1].detach()

        return hook

    def _reference_hook(self, d):

        def hook(module, args, kwargs):
            self._pending[(d, 'reference_points')] = kwargs[
                'reference_points'].detach()
            self._pending[(d, 'spatial_shapes')] = kwargs['spatial_shapes']

        return hook

    def _store(self, d, key):

        def hook(module, args, output):
            self._pending[(d, key)] = output.detach()

        return hook

    def _p2q_hook(self, d, attn):

        def hook(module, args, output):
            ref = self._pending.pop((d, 'reference_points'))  # (B, K, L, 2)
            shapes = self._pending.pop((d, 'spatial_shapes'))  # (L, 2): h, w
            batch, num_query = ref.shape[:2]
            heads, levels, points = (attn.num_heads, attn.num_levels,
                                     attn.num_points)
            offsets = self._pending.pop((d, 'offsets')).view(
                batch, num_query, heads, levels, points, 2)
            logits = self._pending.pop((d, 'logits')).view(
                batch, num_query, heads, levels * points)
            # offsets are in pixels of each level: divide by its (w, h)
            normalizer = torch.stack([shapes[..., 1], shapes[..., 0]], -1)
            self.reference_points[-1][d] = ref[:, :, 0]
            self.sampling_locations[-1][d] = (
                ref[:, :, None, :, None, :] +
                offsets / normalizer[None, None, None, :, None, :])
            self.attention_weights[-1][d] = logits.softmax(-1).view(
                batch, num_query, heads, levels, points)

        return hook


def draw_q2q(matrices: Sequence[np.ndarray], keypoint_names: Sequence[str],
             out_file: str, title: str = 'q2q attention') -> None:
    """Draw each decoder layer's K x K q2q attention matrix, labelled with
    keypoint names, side by side, and save a PNG.

    Args:
        matrices (Sequence[np.ndarray]): N_D matrices of shape (K, K), row i
            the attention of keypoint i over all keypoints.
        keypoint_names (Sequence[str]): K names.
        out_file (str): Path of the PNG.
        title (str): Figure title.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    num = len(matrices)
    k = len(keypoint_names)
    fig, axes = plt.subplots(
        1, num, figsize=(4.2 * num + 1, 4.8), squeeze=False)
    for d, (ax, mat) in enumerate(zip(axes[0], matrices)):
        image = ax.imshow(mat, cmap='viridis', vmin=0)
        ax.set_title(f'decoder layer {d + 1}')
        ax.set_xticks(range(k))
        ax.set_yticks(range(k))
        ax.set_xticklabels(keypoint_names, rotation=90, fontsize=6)
        ax.set_yticklabels(keypoint_names, fontsize=6)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out_file, dpi=120)
    plt.close(fig)


def draw_p2q(image: np.ndarray, locations: np.ndarray, weights: np.ndarray,
             reference: np.ndarray, out_file: str,
             level_names: Optional[Sequence[str]] = None,
             title: str = 'p2q sampling points',
             box: Optional[Sequence[float]] = None) -> None:
    """Draw the p2q sampling points of one keypoint on the image, one panel
    per feature level, coloured by attention weight, with the reference
    point (the keypoint estimate the layer samples around).

    Args:
        image (np.ndarray): RGB image (h, w, 3).
        locations (np.ndarray): (H, L, P, 2) sampling points in pixels of
            ``image``.
        weights (np.ndarray): (H, L, P) attention weights.
        reference (np.ndarray): (2,) reference point in pixels of ``image``.
        out_file (str): Path of the PNG.
        level_names (Sequence[str], optional): L names (``C3`` ...).
        title (str): Figure title.
        box (Sequence[float], optional): (x0, y0, x1, y1) region of the image
            to show, e.g. the person's crop; default the whole image.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    x0, y0, x1, y1 = box if box is not None else (0, 0, image.shape[1],
                                                  image.shape[0])
    levels = locations.shape[1]
    level_names = level_names or [f'level {i}' for i in range(levels)]
    fig, axes = plt.subplots(
        1, levels, figsize=(3.6 * levels + 1, 4.6), squeeze=False)
    vmax = float(weights.max())
    for lvl, ax in enumerate(axes[0]):
        ax.imshow(image)
        pts = locations[:, lvl].reshape(-1, 2)
        wts = weights[:, lvl].reshape(-1)
        order = np.argsort(wts)  # heaviest on top
        sc = ax.scatter(pts[order, 0], pts[order, 1], c=wts[order], s=14,
                        cmap='coolwarm', vmin=0, vmax=vmax,
                        edgecolors='black', linewidths=0.3)
        ax.scatter([reference[0]], [reference[1]], marker='o', s=90,
                   facecolors='none', edgecolors='yellow', linewidths=2)
        ax.set_title(f'{level_names[lvl]}: {pts.shape[0]} points')
        ax.set_xlim(x0, x1)
        ax.set_ylim(y1, y0)
        ax.axis('off')
    fig.colorbar(sc, ax=list(axes[0]), fraction=0.02, pad=0.02,
                 label='attention weight')
    fig.suptitle(title)
    fig.savefig(out_file, dpi=120)
    plt.close(fig)
