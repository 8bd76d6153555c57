"""TFPose's keypoint decoder: K keypoint queries, query-to-query (q2q)
self-attention, pixel-to-query (p2q) deformable attention around the current
keypoint estimates, and layer-wise coordinate refinement (paper Sec. 3.3)."""
from typing import Optional, Sequence, Union

import torch
from mmengine.model import BaseModule, ModuleList
from mmpose.models.heads.transformer_heads.transformers import (
    FFN as MLP, DeformableDetrTransformerDecoderLayer)
from mmpose.models.utils import inverse_sigmoid
from mmcv.ops import MultiScaleDeformableAttention
from torch import Tensor, nn

__all__ = ['TFPoseDecoderLayer', 'TFPoseDecoder', 'FFN_ACTIVATION']

# The FFNs' ReLU (encoder and decoder), not in place: MMCV's FFN applies it
# to the first Linear's output, a view of the (B * N, C') matrix product, and
# autograd answers an in-place change of a view by copying the whole hidden
# activation in the backward (CopySlices: a zeroed buffer and copies of the
# (B, N, C') activation per FFN), where an out-of-place ReLU writes one
# buffer. Same values, same parameters.
FFN_ACTIVATION = dict(type='ReLU', inplace=False)

# Deformable DETR's clamp for inverse_sigmoid (MMPose's default is 1e-3).
_LOGIT_EPS = 1e-5


class TFPoseDecoderLayer(DeformableDetrTransformerDecoderLayer):
    """MMPose's deformable DETR decoder layer with an optional q2q attention.

    With ``with_q2q=True`` this is the host layer unchanged: q2q self-attention
    (values ``Q_{d-1}``, queries and keys ``Q_{d-1} + pos``), p2q deformable
    cross-attention, FFN, each followed by LayerNorm. ``with_q2q=False`` drops
    the self-attention and its norm (the ablation of paper Table 1), so every
    keypoint query sees only the image.

    Args:
        with_q2q (bool): Keep the query-to-query self-attention.
        **kwargs: ``self_attn_cfg``, ``cross_attn_cfg``, ``ffn_cfg``,
            ``norm_cfg`` of :class:`DeformableDetrTransformerDecoderLayer`.
    """

    def __init__(self, with_q2q: bool = True, **kwargs) -> None:
        # read by _init_layers, which the parent constructor calls
        self.with_q2q = with_q2q
        super().__init__(**kwargs)

    def _init_layers(self) -> None:
        super()._init_layers()
        if not self.with_q2q:
            self.self_attn = None
            self.norms = self.norms[1:]

    def forward(self, query: Tensor, query_pos: Tensor, value: Tensor,
                **kwargs) -> Tensor:
        """
        Args:
            query (Tensor): Keypoint queries ``Q_{d-1}`` in shape (B, K, C).
            query_pos (Tensor): Query positional embeddings in shape
                (B, K, C).
            value (Tensor): Encoder memory in shape (B, N, C).
            **kwargs: ``reference_points`` (B, K, L, 2) in [0, 1],
                ``spatial_shapes`` (L, 2), ``level_start_index`` (L,),
                passed to the p2q attention.

        Returns:
            Tensor: ``Q_d`` in shape (B, K, C).
        """
        if self.with_q2q:
            return super().forward(
                query, value=value, query_pos=query_pos, **kwargs)
        query = self.cross_attn(
            query=query, value=value, query_pos=query_pos, **kwargs)
        query = self.norms[0](query)
        query = self.ffn(query)
        return self.norms[1](query)


class TFPoseDecoder(BaseModule):
    """Keypoint decoder with layer-wise refinement (paper Eq. 4).

    Each of the ``num_layers`` layers updates the K keypoint queries and an
    MLP of its own predicts a refinement ``delta_d``:

        y_d = sigmoid(inverse_sigmoid(y_{d-1}) + delta_d),

    ``y_0`` a learned (K, 2) matrix. Layer d samples the image around
    ``y_{d-1}`` (the reference points of its p2q attention), so every
    keypoint query looks near its own current estimate.

    Note:
        - batch size: B
        - keypoint number: K
        - embedding dimension: C
        - memory tokens: N (all feature levels, flattened and concatenated)
        - feature levels: L
        - decoder layers: N_D

        Coordinates are normalized ``(x / w, y / h)`` of the input image,
        inside (0, 1).

    Args:
        num_keypoints (int): K.
        num_layers (int): N_D.
        embed_dims (int): C.
        num_heads (int): Heads of both attentions.
        num_levels (int): L, feature levels in the memory.
        num_points (int): Sampling points per head and level of the p2q
            attention.
        feedforward_channels (int): Hidden width of each layer's FFN.
        dropout (float): Dropout in the attentions and FFNs.
        with_q2q (bool): Keep the query-to-query attention in every layer.
        refine_mlp_layers (int): Linear layers of each refinement MLP.
        detach_refinement (bool): Stop the gradient of ``y_{d-1}`` into layer
            ``d`` (for d >= 2), as Deformable DETR's iterative refinement
            does: each layer learns its own step and the sampling positions
            are not trained through later layers. The paper writes Eq. 4
            without saying; ``False`` backpropagates through the whole chain.
        initial_coords (str | Sequence): Initialization of the learned
            ``y_0``: ``'normal'`` (logits ~ N(0, 1), Deformable DETR's way for
            its reference points), ``'center'`` (every keypoint at the crop
            centre) or K (x, y) pairs inside (0, 1), e.g. a mean pose.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 num_keypoints: int,
                 num_layers: int = 6,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 num_levels: int = 3,
                 num_points: int = 4,
                 feedforward_channels: int = 1024,
                 dropout: float = 0.1,
                 with_q2q: bool = True,
                 refine_mlp_layers: int = 3,
                 detach_refinement: bool = True,
                 initial_coords: Union[str, Sequence] = 'normal',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value in (('num_keypoints', num_keypoints),
                            ('num_layers', num_layers),
                            ('refine_mlp_layers', refine_mlp_layers)):
            if value < 1:
                raise ValueError(f'{self.__class__.__name__}: {name} must be '
                                 f'at least 1, got {value}')
        self.num_keypoints = num_keypoints
        self.num_layers = num_layers
        self.embed_dims = embed_dims
        self.detach_refinement = detach_refinement
        if isinstance(initial_coords, str):
            if initial_coords not in ('normal', 'center'):
                raise ValueError(
                    f'{self.__class__.__name__}: initial_coords must be '
                    "'normal', 'center' or K (x, y) pairs, got "
                    f'{initial_coords!r}')
        else:
            coords = torch.as_tensor(initial_coords, dtype=torch.float32)
            if coords.shape != (num_keypoints, 2) or not bool(
                    ((coords > 0) & (coords < 1)).all()):
                raise ValueError(
                    f'{self.__class__.__name__}: initial_coords must be '
                    f'{num_keypoints} (x, y) pairs inside (0, 1), got shape '
                    f'{tuple(coords.shape)}')
            initial_coords = coords
        self._initial_coords_init = initial_coords

        self.layers = ModuleList([
            TFPoseDecoderLayer(
                with_q2q=with_q2q,
                self_attn_cfg=dict(
                    embed_dims=embed_dims,
                    num_heads=num_heads,
                    dropout=dropout,
                    batch_first=True),
                cross_attn_cfg=dict(
                    embed_dims=embed_dims,
                    num_heads=num_heads,
                    num_levels=num_levels,
                    num_points=num_points,
                    dropout=dropout,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=embed_dims,
                    feedforward_channels=feedforward_channels,
                    num_fcs=2,
                    ffn_drop=dropout,
                    act_cfg=FFN_ACTIVATION))
            for _ in range(num_layers)
        ])
        # one refinement MLP per layer, predicting delta_d (B, K, 2)
        self.refine_mlps = ModuleList([
            MLP(embed_dims, embed_dims, 2, refine_mlp_layers)
            for _ in range(num_layers)
        ])
        # Q, its positional embedding and y_0 (as logits: any value is a
        # valid coordinate after the sigmoid)
        self.query = nn.Parameter(torch.empty(num_keypoints, embed_dims))
        self.query_pos = nn.Parameter(torch.empty(num_keypoints, embed_dims))
        self.initial_logits = nn.Parameter(torch.empty(num_keypoints, 2))
        self.init_weights()

    def init_weights(self) -> None:
        """Deformable DETR's initialization: Xavier for the layers' matrices,
        MMCV's own for the deformable attention (sampling offsets on rings),
        zero for the last layer of each refinement MLP (so ``y_d = y_0`` at
        the start), normal for Q and its position, ``y_0`` as
        ``initial_coords`` says."""
        for p in self.layers.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        for m in self.layers.modules():
            if isinstance(m, MultiScaleDeformableAttention):
                m.init_weights()
        for mlp in self.refine_mlps:
            nn.init.constant_(mlp.layers[-1].weight, 0.)
            nn.init.constant_(mlp.layers[-1].bias, 0.)
        nn.init.normal_(self.query)
        nn.init.normal_(self.query_pos)
        init = self._initial_coords_init
        with torch.no_grad():
            if isinstance(init, str) and init == 'normal':
                nn.init.normal_(self.initial_logits)
            elif isinstance(init, str):  # 'center'
                self.initial_logits.zero_()
            else:
                self.initial_logits.copy_(inverse_sigmoid(init, eps=_LOGIT_EPS))
        self._is_init = True

    @property
    def initial_coords(self) -> Tensor:
        """``y_0`` in shape (K, 2), normalized, inside (0, 1)."""
        return self.initial_logits.sigmoid()

    def forward(self, memory: Tensor, spatial_shapes: Tensor,
                level_start_index: Tensor, valid_ratios: Tensor) -> Tensor:
        """Decode keypoint coordinates from the encoder memory.

        Args:
            memory (Tensor): Encoder output M in shape (B, N, C).
            spatial_shapes (Tensor): (h_l, w_l) of each level, shape (L, 2).
            level_start_index (Tensor): First token of each level in
                ``memory``, shape (L,).
            valid_ratios (Tensor): Unpadded fraction (w, h) of each level,
                shape (B, L, 2); all ones for top-down crops.

        Returns:
            Tensor: ``y_1 ... y_{N_D}`` in shape (N_D, B, K, 2), normalized
            coordinates inside (0, 1).
        """
        batch_size = memory.size(0)
        query = self.query[None].expand(batch_size, -1, -1)  # (B, K, C)
        query_pos = self.query_pos[None].expand(batch_size, -1, -1)
        coords = self.initial_coords[None].expand(batch_size, -1, -1)

        all_coords = []
        for d, (layer, mlp) in enumerate(zip(self.layers, self.refine_mlps)):
            if d > 0 and self.detach_refinement:
                coords = coords.detach()
            # the same point on every level: (B, K, 2) -> (B, K, L, 2)
            reference_points = coords[:, :, None] * valid_ratios[:, None]
            query = layer(
                query,
                query_pos=query_pos,
                value=memory,
                key_padding_mask=None,
                reference_points=reference_points,
                spatial_shapes=spatial_shapes,
                level_start_index=level_start_index,
                valid_ratios=valid_ratios)
            delta = mlp(query)  # (B, K, 2)
            coords = (inverse_sigmoid(coords, eps=_LOGIT_EPS) +
                      delta).sigmoid()
            all_coords.append(coords)
        return torch.stack(all_coords)
