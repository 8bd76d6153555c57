"""Initialising a :class:`PlainViT` from published ViT weights.

The checkpoint is read, its ViT found and renamed to :class:`PlainViT`'s keys
by :mod:`mmpose_ext.checkpoints`; what is left is fitting the tensors to this
backbone's geometry, which is model code: the position table resized to the
backbone's patch grid (:func:`~.pos_embed.fit_pos_embed`) and a smaller
patch kernel zero-padded (MAE's ViT-H uses 14x14 patches; like the official
code and Sec. 3.2 of the paper its kernel is padded to 16x16). Loading is
weights-only and strict.
"""
import os.path as osp
from typing import Optional, Sequence

import torch.nn.functional as F
from torch import Tensor

from mmpose_ext.checkpoints import (backbone_of, convert_vit_backbone,
                                    grid_tokens, load_state_dict_strict,
                                    safe_torch_load, state_dict_of)
from .pos_embed import fit_pos_embed

__all__ = ['fit_patch_kernel', 'load_vit_pretrained']


def fit_patch_kernel(weight: Tensor, kernel: Sequence[int]) -> Tensor:
    """Zero-pad a patch-embedding kernel ``(C, 3, k, k)`` to ``kernel`` around
    its centre (MAE ViT-H's 14x14 -> 16x16, as the official ViTPose code)."""
    kh, kw = weight.shape[-2:]
    th, tw = kernel
    if (kh, kw) == (th, tw):
        return weight
    if kh > th or kw > tw:
        raise ValueError(f'fit_patch_kernel: a {kh}x{kw} patch kernel does '
                         f'not fit a {th}x{tw} patch embedding')
    top, left = (th - kh) // 2, (tw - kw) // 2
    return F.pad(weight, (left, tw - kw - left, top, th - kh - top))


def load_vit_pretrained(backbone, filename: str,
                        src_hw: Optional[Sequence[int]] = None,
                        logger=None) -> None:
    """Initialise a :class:`PlainViT` from an MAE, official ViTPose, MMPose
    1.x or mmpose_ext checkpoint (whole pose models too: the ``backbone.``
    part is used).

    Loading is weights-only (:func:`safe_torch_load`). Every backbone tensor
    must be found with the right shape, except ``last_norm`` (absent from MAE
    checkpoints, freshly initialised as in the official code) and the
    knowledge tokens.

    Raises:
        FileNotFoundError: ``filename`` does not exist.
        ValueError: the checkpoint is not a ViT of this size.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'pre-trained weights {filename!r} do not exist: download them '
            '(docs/vitpose.md lists the MAE and ViTPose files) or set '
            'model.backbone.init_cfg=None to start from random weights')
    checkpoint = state_dict_of(safe_torch_load(filename))
    state, layout, outside = backbone_of(checkpoint)
    converted, dropped = convert_vit_backbone(state, layout)
    converted['pos_embed'] = fit_pos_embed(
        converted['pos_embed'],
        grid_tokens(state, layout, state['pos_embed'].shape[1]),
        backbone.patch_grid, src_hw)
    key = 'patch_embed.projection.weight'
    converted[key] = fit_patch_kernel(
        converted[key], backbone.patch_embed.projection.kernel_size)
    load_state_dict_strict(
        backbone,
        converted,
        filename,
        allow_missing=('last_norm.', 'knowledge_tokens.'),
        subject=f'this {type(backbone).__name__} (embed_dims='
        f'{backbone.embed_dims}, num_layers={backbone.num_layers}; the '
        f'checkpoint holds a {layout}-layout ViT)',
        hint='Check the arch against the checkpoint (e.g. a ViT-B file for '
        "arch='base').")
    if logger is not None:
        skipped = [k for k in backbone.state_dict() if k not in converted]
        logger.info(
            f'PlainViT: loaded {len(converted)} tensors from {filename} '
            f'({layout} layout); not in the checkpoint, kept initial: '
            f'{skipped}; unused: {dropped + outside}')
