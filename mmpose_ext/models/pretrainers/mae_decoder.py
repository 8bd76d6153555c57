"""The light decoder of MAE pre-training (He et al., CVPR 2022)."""
from typing import Sequence

import torch
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule, ModuleList
from torch import Tensor, nn

from mmpose.registry import MODELS
from ..layers.vit_layer import ViTLayer, init_vit_weights


def sincos_pos_embed_2d(grid: Sequence[int], dims: int,
                        temperature: float = 10000.) -> Tensor:
    """Fixed 2-D sine-cosine position table of a ``(H, W)`` grid, as MAE's
    decoder, for any (also non-square) grid: the first half of the channels
    encodes the column, the second the row, each as ``[sin, cos]`` of the
    position times ``temperature ** -(i / (dims / 4))``.

    Returns:
        Tensor: ``(1, H*W, dims)``, row-major.
    """
    if dims % 4:
        raise ValueError(f'sincos_pos_embed_2d: dims must be a multiple of '
                         f'4, got {dims}')
    h, w = grid
    quarter = dims // 4
    omega = temperature**-(torch.arange(quarter, dtype=torch.float64) /
                           quarter)  # (D/4,)
    rows, cols = torch.meshgrid(
        torch.arange(h, dtype=torch.float64),
        torch.arange(w, dtype=torch.float64),
        indexing='ij')  # (H, W) each
    parts = []
    for pos in (cols.flatten(), rows.flatten()):
        angle = pos[:, None] * omega[None]  # (H*W, D/4)
        parts += [angle.sin(), angle.cos()]
    return torch.cat(parts, 1).float()[None]  # (1, H*W, D)


@MODELS.register_module()
class MAEDecoder(BaseModule):
    """MAE's decoder: the encoded visible tokens and a shared mask token at
    the masked places, a fixed sine-cosine position table, a few transformer
    layers (this package's ``ViTLayer``, full attention), a norm and a linear
    prediction of each patch's pixels.

    Note:
        - B: batch; N = H * W patches; L kept (visible) patches
        - C: encoder width; D: ``embed_dims``; P: pixels per patch
          (``in_channels * k * k``)

    Args:
        in_dims (int): C.
        grid (Sequence[int]): The patch grid ``(H, W)``.
        patch_dims (int): P, the predicted values per patch.
        embed_dims (int): D (512 in MAE; a few times narrower than the
            encoder makes the decoder "light").
        num_layers (int): Decoder depth (8 in MAE).
        num_heads (int): Attention heads.
        mlp_ratio (int): FFN width / D.
        init_scheme (str): ``'mae'`` (MAE's Xavier-uniform linears) or
            ``'vit'`` (truncated normal, std 0.02), see
            :func:`~mmpose_ext.models.layers.vit_layer.init_vit_weights`.
    """

    def __init__(self,
                 in_dims: int,
                 grid: Sequence[int],
                 patch_dims: int,
                 embed_dims: int = 512,
                 num_layers: int = 8,
                 num_heads: int = 16,
                 mlp_ratio: int = 4,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 init_scheme: str = 'mae',
                 init_cfg=None):
        super().__init__(init_cfg)
        if init_scheme not in ('mae', 'vit'):
            raise ValueError(f"{type(self).__name__}: init_scheme must be "
                             f"'mae' or 'vit', got {init_scheme!r}")
        self.init_scheme = init_scheme
        self.grid = tuple(grid)
        self.embed = nn.Linear(in_dims, embed_dims)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, embed_dims))
        self.register_buffer(
            'pos_embed', sincos_pos_embed_2d(self.grid, embed_dims),
            persistent=False)
        self.layers = ModuleList([
            ViTLayer(
                embed_dims=embed_dims,
                num_heads=num_heads,
                feedforward_channels=mlp_ratio * embed_dims,
                norm_cfg=norm_cfg) for _ in range(num_layers)
        ])
        self.norm = build_norm_layer(norm_cfg, embed_dims)[1]
        self.pred = nn.Linear(embed_dims, patch_dims)

    def init_weights(self):
        """MAE's: normal(0.02) mask token, Xavier-uniform linear weights (the
        attention in-projection included), zero biases, unit LayerNorms; the
        position table is fixed (a buffer)."""
        nn.init.normal_(self.mask_token, std=.02)
        init_vit_weights(self, self.layers, scheme=self.init_scheme)
        self._is_init = True

    def forward(self, visible: Tensor, keep: Tensor) -> Tensor:
        """Predict every patch.

        Args:
            visible (Tensor): Encoded kept tokens ``(B, L, C)``.
            keep (Tensor): Their patch indices ``(B, L)`` in ``[0, N)``.

        Returns:
            Tensor: Predicted pixels ``(B, N, P)``.
        """
        x = self.embed(visible)  # (B, L, D)
        B, _, D = x.shape
        N = self.grid[0] * self.grid[1]
        # mask tokens everywhere, the visible tokens back at their places
        full = self.mask_token.expand(B, N, D).clone()  # (B, N, D)
        full = full.scatter(1, keep[..., None].expand(-1, -1, D), x)
        full = full + self.pos_embed
        for layer in self.layers:
            full = layer(full, self.grid, 0)
        return self.pred(self.norm(full))  # (B, N, P)

    @property
    def num_patches(self) -> int:
        """N = H * W."""
        return self.grid[0] * self.grid[1]

    def extra_repr(self) -> str:
        return f'grid={self.grid}'
