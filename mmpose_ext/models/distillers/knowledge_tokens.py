"""ViTPose's knowledge tokens (Sec. 3.4, Eq. 5-6).

Token distillation in two stages:

1. A randomly initialised, learnable knowledge token ``t`` is appended to the
   visual tokens after the patch embedding of a trained, frozen teacher, and
   only ``t`` is trained with the pose loss:
   ``t* = argmin_t MSE(T({t; X}), K_gt)``
   (:class:`KnowledgeTokens` with ``token_file=None``, inside
   :class:`~mmpose_ext.models.distillers.KnowledgeTokenTeacher`).
2. ``t*`` is exported (``python -m mmpose_ext.tools.export_knowledge_tokens``)
   and appended, frozen, to the visual tokens of the student, which trains
   everything else: ``MSE(S({t*; X}), K_gt)`` (:class:`KnowledgeTokens` with
   ``token_file=...``; add output distillation with
   :class:`~mmpose_ext.models.distillers.HeatmapDistillPoseEstimator`).

Teacher and student of different widths (the paper's ViTPose-L -> ViTPose-B is
1024 -> 768 channels; the paper does not say how ``t*`` was fitted): the
tokens are mapped by a *fixed* isometry, :func:`fit_tokens_to_width`. It is
fixed because the paper freezes ``t*`` in stage 2: a projection learned with
the student could send T <= C_teacher tokens to any T vectors, which is the
same as training free tokens, and nothing of ``t*`` would remain. It is an
isometry because the student's channel basis has nothing to do with the
teacher's (even at equal width), so what a set of tokens carries independently
of a basis is its Gram matrix (norms and pairwise angles): the map keeps it
exactly. At equal widths the tokens are used verbatim, as in the paper.

Token file format (weights-only loadable): ``{'knowledge_tokens': Tensor (T,
C), 'source': str}``.
"""
import os.path as osp
from typing import Optional

import torch
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch import Tensor, nn

from mmpose.registry import MODELS
from mmpose_ext.engine.checkpoint import safe_torch_load

TOKEN_KEY = 'knowledge_tokens'
# seed of the fixed rotation in fit_tokens_to_width: part of the method, so
# the same token file always gives the same student tokens
_ROTATION_SEED = 0


def save_knowledge_tokens(tokens: Tensor, filename: str,
                          source: str = '') -> None:
    """Write tokens ``(T, C)`` (or ``(1, T, C)``) as a weights-only file."""
    tokens = tokens.detach().cpu().float()
    if tokens.dim() == 3 and tokens.shape[0] == 1:
        tokens = tokens[0]
    if tokens.dim() != 2:
        raise ValueError('save_knowledge_tokens: expected tokens (T, C), got '
                         f'shape {tuple(tokens.shape)}')
    torch.save({TOKEN_KEY: tokens.clone(), 'source': str(source)}, filename)


def load_knowledge_tokens(filename: str) -> Tensor:
    """Read tokens ``(T, C)`` written by :func:`save_knowledge_tokens`."""
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'knowledge token file {filename!r} does not exist; export it '
            'from the stage-1 checkpoint with `python -m '
            'mmpose_ext.tools.export_knowledge_tokens CHECKPOINT OUT`')
    data = safe_torch_load(filename)
    tokens = data.get(TOKEN_KEY) if isinstance(data, dict) else None
    if not isinstance(tokens, Tensor) or tokens.dim() != 2:
        raise ValueError(
            f'{filename!r} is not a knowledge token file: expected a dict '
            f'with {TOKEN_KEY!r}: Tensor (T, C)')
    if not torch.isfinite(tokens).all():
        raise ValueError(f'{filename!r}: the knowledge tokens are not finite '
                         '(did stage 1 diverge?)')
    return tokens


def fit_tokens_to_width(tokens: Tensor, width: int) -> Tensor:
    """Map tokens ``(T, C_t)`` to ``(T, width)`` keeping their Gram matrix.

    Equal widths: returned unchanged. Otherwise the tokens are written in an
    orthonormal basis of their span (``tokens^T = Q R``, coordinates
    ``R^T``, T x T), zero-padded to ``width`` channels, and turned by a fixed
    seeded random rotation so that they are not axis-aligned. Norms and
    angles between tokens are preserved exactly (up to float rounding).

    Raises:
        ValueError: more tokens than ``width`` channels, which no isometry
            can hold.
    """
    num, channels = tokens.shape
    if channels == width:
        return tokens
    if num > width:
        raise ValueError(
            f'fit_tokens_to_width: {num} tokens cannot keep their geometry in '
            f'{width} channels; use at most {width} tokens')
    t64 = tokens.double()
    q, r = torch.linalg.qr(t64.T)  # (C_t, T), (T, T)
    coords = t64.new_zeros((num, width))
    coords[:, :num] = r.T
    gen = torch.Generator().manual_seed(_ROTATION_SEED)
    rot, _ = torch.linalg.qr(
        torch.randn((width, width), generator=gen, dtype=torch.float64))
    return (coords @ rot.T).to(tokens.dtype)


@MODELS.register_module()
class KnowledgeTokens(BaseModule):
    """Knowledge tokens appended to the patch tokens of a :class:`PlainViT`.

    Args:
        embed_dims (int): Channels C of the backbone (filled in by
            :class:`PlainViT`).
        num_tokens (int): T, used when the tokens are learned (stage 1).
        token_file (str, optional): Exported tokens (stage 2). The tokens are
            then a frozen buffer: no optimizer ever sees them, and they are
            saved in checkpoints. A file of another width is mapped with
            :func:`fit_tokens_to_width`.
        init_std (float): Std of the truncated-normal initialisation of
            learned tokens.
    """

    def __init__(self,
                 embed_dims: int,
                 num_tokens: int = 1,
                 token_file: Optional[str] = None,
                 init_std: float = 0.02,
                 init_cfg=None):
        super().__init__(init_cfg)
        self.embed_dims = embed_dims
        self.token_file = token_file
        if token_file is None:
            if num_tokens < 1:
                raise ValueError(f'{type(self).__name__}: num_tokens must be '
                                 f'>= 1, got {num_tokens}')
            self.tokens = nn.Parameter(torch.zeros(1, num_tokens, embed_dims))
            trunc_normal_(self.tokens, std=init_std)
        else:
            loaded = load_knowledge_tokens(token_file)
            fitted = fit_tokens_to_width(loaded, embed_dims)
            if loaded.shape[1] != embed_dims:
                MMLogger.get_current_instance().info(
                    f'KnowledgeTokens: {loaded.shape[0]} tokens of width '
                    f'{loaded.shape[1]} from {token_file} mapped to width '
                    f'{embed_dims} by a fixed isometry (Gram matrix kept)')
            self.register_buffer('tokens', fitted[None].contiguous())

    @property
    def num_tokens(self) -> int:
        """T, the number of tokens."""
        return self.tokens.shape[1]

    @property
    def trainable(self) -> bool:
        """Whether the tokens are learned here (stage 1)."""
        return isinstance(self.tokens, nn.Parameter)

    def init_weights(self):
        """The tokens are initialised on construction (random, or from the
        token file); MMEngine's initialisers must not touch them."""
        self._is_init = True

    def forward(self, batch_size: int) -> Tensor:
        """The tokens for a batch: ``(B, T, C)``."""
        return self.tokens.expand(batch_size, -1, -1)
