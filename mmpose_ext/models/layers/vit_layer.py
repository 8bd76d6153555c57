"""The pre-norm transformer layer of a plain ViT (ViTPose Eq. 1)."""
from typing import Optional, Sequence, Tuple

from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch import Tensor, nn

from .windowed_self_attention import WindowedSelfAttention


class ViTLayer(BaseModule):
    """``F' = F + MHSA(LN(F)); F_out = F' + FFN(LN(F'))``.

    Built from MMCV's bricks: :class:`WindowedSelfAttention` (MMCV's
    ``MultiheadAttention`` plus ViTPose's window options) and MMCV's ``FFN``
    (two linears with GELU), each with stochastic depth on its branch.

    Args:
        embed_dims (int): Token channels C.
        num_heads (int): Attention heads.
        feedforward_channels (int): Hidden channels of the FFN.
        drop_path_rate (float): Stochastic depth rate of both branches.
        window_size, shift, pool: Attention type, see
            :class:`WindowedSelfAttention`.
        norm_cfg (dict): Normalisation; LayerNorm with eps 1e-6 as ViTPose.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 feedforward_channels: int,
                 drop_path_rate: float = 0.,
                 window_size: Optional[Sequence[int]] = None,
                 shift: bool = False,
                 pool: bool = False,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 init_cfg=None):
        super().__init__(init_cfg)
        self.ln1 = build_norm_layer(norm_cfg, embed_dims)[1]
        self.attn = WindowedSelfAttention(
            embed_dims,
            num_heads,
            window_size=window_size,
            shift=shift,
            pool=pool,
            drop_path=drop_path_rate)
        self.ln2 = build_norm_layer(norm_cfg, embed_dims)[1]
        self.ffn = FFN(
            embed_dims=embed_dims,
            feedforward_channels=feedforward_channels,
            num_fcs=2,
            ffn_drop=0.,
            dropout_layer=dict(type='DropPath', drop_prob=drop_path_rate),
            act_cfg=dict(type='GELU'),
            add_identity=True)

    def forward(self, x: Tensor, hw: Tuple[int, int],
                num_extra: int = 0) -> Tensor:
        """``(B, N + E, C) -> (B, N + E, C)``; ``hw`` is the ``(H, W)`` map of
        the N patch tokens, E extra tokens follow them."""
        x = self.attn(self.ln1(x), identity=x, hw=hw, num_extra=num_extra)
        return self.ffn(self.ln2(x), identity=x)


def init_vit_weights(module: nn.Module, layers: Sequence[ViTLayer],
                     scheme: str = 'vit') -> None:
    """Initialise the linear and LayerNorm weights of ``module``, a stack of
    :class:`ViTLayer` and what surrounds it.

    Two schemes, both with zero biases and unit LayerNorms:

    * ``'vit'``: truncated normal (std 0.02) for the attention
      in-projections and every linear weight, as the official ViT/ViTPose
      code.
    * ``'mae'``: Xavier-uniform for the same weights, as MAE's official
      pre-training code (``_init_weights``); the attention in-projection
      ``(3C, C)`` is initialised as one matrix, like MAE's ``qkv`` linear.
    """
    if scheme == 'vit':
        def init_weight(weight):
            trunc_normal_(weight, std=.02)
    elif scheme == 'mae':
        init_weight = nn.init.xavier_uniform_
    else:
        raise ValueError(f"init_vit_weights: scheme must be 'vit' or 'mae', "
                         f'got {scheme!r}')
    for layer in layers:
        init_weight(layer.attn.attn.in_proj_weight)
        nn.init.zeros_(layer.attn.attn.in_proj_bias)
    for m in module.modules():
        if isinstance(m, nn.Linear):
            init_weight(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
