"""Patch position tables of a ViT: resizing to another grid.

:class:`~mmpose_ext.models.backbones.PlainViT` keeps one embedding per patch,
``(1, h*w, C)``, row-major; an input of another size (or a checkpoint made at
another size) needs the table resampled to the new grid, bicubically with
``align_corners=False`` as the official ViTPose loader does.
"""
import math
from typing import Optional, Sequence

import torch.nn.functional as F
from torch import Tensor

from mmpose_ext.checkpoints import fold_cls_slot

__all__ = ['resize_pos_embed', 'fit_pos_embed']


def resize_pos_embed(pos_embed: Tensor, src_hw: Sequence[int],
                     dst_hw: Sequence[int],
                     mode: str = 'bicubic') -> Tensor:
    """Resample a patch position table ``(1, h*w, C) -> (1, h'*w', C)``
    (row-major grids) with ``F.interpolate(align_corners=False)``."""
    src_hw, dst_hw = tuple(src_hw), tuple(dst_hw)
    if src_hw == dst_hw:
        return pos_embed
    _, n, c = pos_embed.shape
    if n != src_hw[0] * src_hw[1]:
        raise ValueError(f'resize_pos_embed: {n} entries do not form a '
                         f'{src_hw[0]}x{src_hw[1]} grid')
    # (1, N, C) -> (1, C, h, w)
    grid = pos_embed.reshape(1, *src_hw, c).permute(0, 3, 1, 2)
    grid = F.interpolate(grid.float(), size=dst_hw, mode=mode,
                         align_corners=False).to(pos_embed.dtype)
    # (1, C, h', w') -> (1, h'*w', C)
    return grid.flatten(2).transpose(1, 2)


def fit_pos_embed(pos_embed: Tensor, num_patches: int, dst_hw: Sequence[int],
                  src_hw: Optional[Sequence[int]] = None) -> Tensor:
    """A checkpoint's position table ``(1, M, C)`` (``M`` = ``num_patches``
    plus an optional class-token slot, folded in by
    :func:`mmpose_ext.checkpoints.fold_cls_slot`) resized to ``dst_hw``.

    The source grid is ``src_hw`` when given, ``dst_hw`` when the patch count
    matches, else square (ImageNet pre-training); anything else needs
    ``src_hw``.
    """
    pos = fold_cls_slot(pos_embed, num_patches)
    n = pos.shape[1]
    if src_hw is None:
        side = math.isqrt(n)
        if n == dst_hw[0] * dst_hw[1]:
            src_hw = tuple(dst_hw)
        elif side * side == n:
            src_hw = (side, side)
        else:
            raise ValueError(
                f'fit_pos_embed: cannot tell the grid of {n} position '
                f'embeddings (not {dst_hw[0]}x{dst_hw[1]}, not square); pass '
                'src_hw=(h, w) of the checkpoint\'s input size / patch size')
    return resize_pos_embed(pos, src_hw, dst_hw)
