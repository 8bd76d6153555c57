"""The plain, non-hierarchical ViT backbone of ViTPose."""
from typing import Optional, Sequence, Tuple, Union

import torch
from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks.transformer import PatchEmbed
from mmengine.logging import MMLogger
from mmengine.model import ModuleList
from mmengine.model.weight_init import trunc_normal_
from torch import Tensor, nn

from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.registry import MODELS
from ..layers.vit_layer import ViTLayer, init_vit_weights
from ..utils.pos_embed import resize_pos_embed
from ..utils.vit_pretrained import load_vit_pretrained


@MODELS.register_module()
class PlainViT(BaseBackbone):
    """ViTPose's backbone: patch embedding, absolute position embeddings,
    pre-norm transformer layers (Eq. 1), a final norm, and a feature map.

    Published weights (MAE pre-training, official ViTPose, MMPose 1.x) load
    through ``init_cfg=dict(type='Pretrained', checkpoint=PATH)``, see
    :func:`~mmpose_ext.models.utils.vit_pretrained.load_vit_pretrained`.

    Note:
        - B: batch size; C: ``embed_dims``
        - H, W: token map ``(img_h + 2 * padding - patch) // stride + 1``
          ..., 16 x 12 for 256 x 192 inputs with patch 16, stride 16 and
          padding 2 (1/16 of the input)
        - N = H * W patch tokens, E extra tokens (knowledge tokens), appended
          after the patch tokens and removed before the output map

    Args:
        arch (str | dict): ``'small'``, ``'base'``, ``'large'``, ``'huge'`` or
            a dict with ``embed_dims``, ``num_layers``, ``num_heads``,
            ``feedforward_channels``.
        img_size (Sequence[int]): Training input ``(h, w)``; sets the grid of
            the position table, which is resized bicubically for other input
            sizes.
        patch_size (int): Patch kernel (16).
        patch_stride (int, optional): Patch stride, ``patch_size`` by default.
            A smaller stride gives overlapping patches and a finer token map
            (the paper's feature-resolution flexibility: stride 8 with
            padding 4 for 1/8 features).
        patch_padding (int): Zero padding of the patch convolution (2 in
            ViTPose, which turns 256x192 into 16x12 tokens and lets the
            patches overlap the border).
        in_channels (int): Image channels.
        drop_path_rate (float): Stochastic depth of the last layer; linear in
            depth from 0.
        final_norm (bool): LayerNorm after the last layer (``last_norm``).
        window_size (Sequence[int], optional): Window attention ``(h, w)`` in
            tokens instead of full attention (paper Sec. 3.3).
        shift_window (bool): Shift the windows of every odd layer.
        pool_window (bool): Pooled window tokens as extra keys/values.
        freeze_attn (bool): Freeze every layer's attention branch (``ln1`` and
            ``attn``), the paper's "MHSA frozen" partial fine-tuning.
        freeze_ffn (bool): Freeze every layer's FFN branch (``ln2``, ``ffn``).
        knowledge_tokens (dict, optional): Config of
            :class:`~mmpose_ext.models.layers.KnowledgeTokens`;
            ``embed_dims`` is filled in.
        norm_cfg (dict): Normalisation layers (LN, eps 1e-6).
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...,
            src_hw=None)`` to start from published weights; otherwise
            truncated-normal initialisation (std 0.02) as the official code.

    Differences from the official ``ViT``: attention and FFN are MMCV's
    bricks (same parameters, renamed; the converter maps them); the position
    table has no class-token slot (the official forward adds that slot to
    every patch, so it is folded in when loading); ``freeze_ffn`` freezes
    exactly the FFN branches (the official code also froze the patch and
    position embeddings). ``qkv`` always has a bias, as in every ViTPose and
    MAE model.
    """

    arch_zoo = {
        'small': dict(embed_dims=384, num_layers=12, num_heads=12,
                      feedforward_channels=1536),
        'base': dict(embed_dims=768, num_layers=12, num_heads=12,
                     feedforward_channels=3072),
        'large': dict(embed_dims=1024, num_layers=24, num_heads=16,
                      feedforward_channels=4096),
        'huge': dict(embed_dims=1280, num_layers=32, num_heads=16,
                     feedforward_channels=5120),
    }
    _ARCH_KEYS = ('embed_dims', 'num_layers', 'num_heads',
                  'feedforward_channels')

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 img_size: Sequence[int] = (256, 192),
                 patch_size: int = 16,
                 patch_stride: Optional[int] = None,
                 patch_padding: int = 2,
                 in_channels: int = 3,
                 drop_path_rate: float = 0.,
                 final_norm: bool = True,
                 window_size: Optional[Sequence[int]] = None,
                 shift_window: bool = False,
                 pool_window: bool = False,
                 freeze_attn: bool = False,
                 freeze_ffn: bool = False,
                 knowledge_tokens: Optional[dict] = None,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg)
        name = type(self).__name__
        if isinstance(arch, str):
            if arch not in self.arch_zoo:
                raise ValueError(f'{name}: unknown arch {arch!r}; choose from '
                                 f'{sorted(self.arch_zoo)} or give a dict')
            arch = self.arch_zoo[arch]
        elif not (isinstance(arch, dict) and set(arch) == set(
                self._ARCH_KEYS)):
            raise ValueError(f'{name}: a custom arch needs exactly the keys '
                             f'{self._ARCH_KEYS}, got {arch!r}')
        if len(img_size) != 2:
            raise ValueError(f'{name}: img_size must be (h, w), got '
                             f'{img_size!r}')
        if not 0. <= drop_path_rate < 1.:
            raise ValueError(f'{name}: drop_path_rate must be in [0, 1), got '
                             f'{drop_path_rate}')
        self.embed_dims = arch['embed_dims']
        self.num_layers = arch['num_layers']
        self.img_size = tuple(img_size)

        self.patch_embed = PatchEmbed(
            in_channels=in_channels,
            embed_dims=self.embed_dims,
            conv_type='Conv2d',
            kernel_size=patch_size,
            stride=patch_stride or patch_size,
            padding=patch_padding,
            bias=True,
            input_size=self.img_size)
        # the (H, W) token grid of img_size, the grid of the position table
        self.patch_grid = tuple(self.patch_embed.init_out_size)
        self.pos_embed = nn.Parameter(
            torch.zeros(1, self.patch_grid[0] * self.patch_grid[1],
                        self.embed_dims))

        if knowledge_tokens is not None:
            cfg = dict(knowledge_tokens)
            if cfg.setdefault('embed_dims', self.embed_dims) != \
                    self.embed_dims:
                raise ValueError(
                    f'{name}: knowledge_tokens.embed_dims='
                    f"{cfg['embed_dims']} differs from the backbone's "
                    f'{self.embed_dims}; leave it out (a token file of '
                    'another width is mapped automatically)')
            self.knowledge_tokens = MODELS.build(cfg)
        else:
            self.knowledge_tokens = None

        # stochastic depth rising linearly from 0 to drop_path_rate
        dpr = [drop_path_rate * i / max(self.num_layers - 1, 1)
               for i in range(self.num_layers)]
        self.layers = ModuleList([
            ViTLayer(
                embed_dims=self.embed_dims,
                num_heads=arch['num_heads'],
                feedforward_channels=arch['feedforward_channels'],
                drop_path_rate=dpr[i],
                window_size=window_size,
                # Swin: shifted windows in every other layer
                shift=shift_window and i % 2 == 1,
                pool=pool_window,
                norm_cfg=norm_cfg) for i in range(self.num_layers)
        ])
        self.last_norm = build_norm_layer(
            norm_cfg, self.embed_dims)[1] if final_norm else nn.Identity()

        self.freeze_attn = freeze_attn
        self.freeze_ffn = freeze_ffn
        for layer in self.layers:
            branches = ([layer.ln1, layer.attn] if freeze_attn else []) + (
                [layer.ln2, layer.ffn] if freeze_ffn else [])
            for module in branches:
                for param in module.parameters():
                    param.requires_grad = False

    @property
    def num_extra_tokens(self) -> int:
        """E, the tokens appended after the N patch tokens."""
        if self.knowledge_tokens is None:
            return 0
        return self.knowledge_tokens.num_tokens

    def init_weights(self):
        """Published weights for ``init_cfg`` of type ``Pretrained`` (through
        the converter, weights-only), else the official initialisation:
        truncated normal (std 0.02) for linear weights, the qkv projection and
        the position table, zero biases, unit LayerNorms."""
        cfg = self.init_cfg
        if isinstance(cfg, dict) and cfg.get('type') == 'Pretrained':
            self._init_default()
            load_vit_pretrained(
                self,
                cfg['checkpoint'],
                src_hw=cfg.get('src_hw'),
                logger=MMLogger.get_current_instance())
        else:
            # no child has an init_cfg of its own: the official scheme below
            # is the whole initialisation
            self._init_default()
        if self.knowledge_tokens is not None:
            # stage 2 reads its token file here, i.e. only for training
            self.knowledge_tokens.init_weights()
        self._is_init = True

    def _init_default(self):
        trunc_normal_(self.pos_embed, std=.02)
        init_vit_weights(self, self.layers)

    def embed(self, x: Tensor) -> Tuple[Tensor, Tuple[int, int]]:
        """The input tokens of images: patch plus position embedding.

        Args:
            x (Tensor): Images ``(B, in_channels, h, w)``.

        Returns:
            tuple: tokens ``(B, N, C)`` and their grid ``(H, W)``.
        """
        x, hw = self.patch_embed(x)  # (B, N, C), (H, W)
        return x + resize_pos_embed(self.pos_embed, self.patch_grid, hw), hw

    def forward_visible(self, x: Tensor, keep: Tensor) -> Tensor:
        """Encode only some patches (MAE pre-training): the kept tokens go
        through every layer with full attention among themselves and the
        final norm; there are no extra tokens.

        Args:
            x (Tensor): Images ``(B, in_channels, h, w)``.
            keep (Tensor): Indices ``(B, L)`` of the kept patches, in
                ``[0, N)`` (row-major on the ``(H, W)`` grid).

        Returns:
            Tensor: Encoded kept tokens ``(B, L, C)``.
        """
        if any(layer.attn.window_size is not None for layer in self.layers):
            raise ValueError(
                f'{type(self).__name__}.forward_visible: window attention '
                'needs the whole token grid; pre-train with full attention '
                '(window_size=None) and set the windows when fine-tuning')
        tokens, hw = self.embed(x)  # (B, N, C)
        # (B, N, C) -> (B, L, C)
        x = torch.gather(
            tokens, 1, keep[..., None].expand(-1, -1, tokens.shape[-1]))
        for layer in self.layers:
            x = layer(x, hw, 0)
        return self.last_norm(x)

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        """Images ``(B, in_channels, h, w)`` -> ``((B, C, H, W),)``."""
        B = x.shape[0]
        x, hw = self.embed(x)  # (B, N, C), (H, W)
        num_extra = self.num_extra_tokens
        if num_extra:
            # (B, N + E, C)
            x = torch.cat([x, self.knowledge_tokens(B)], dim=1)
        for layer in self.layers:
            x = layer(x, hw, num_extra)
        x = self.last_norm(x)
        # strip the extra tokens: (B, N, C) -> (B, C, H, W)
        x = x[:, :hw[0] * hw[1]]
        return (x.transpose(1, 2).reshape(B, self.embed_dims, *hw), )
