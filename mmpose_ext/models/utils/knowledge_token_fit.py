"""The least-squares map that carries knowledge tokens from a teacher's
width to a student's (see :mod:`mmpose_ext.models.layers.knowledge_tokens`
for why): the teacher's and the student's input tokens of the same image
patches are paired, and an affine map between them fitted once.
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .pos_embed import resize_pos_embed

__all__ = ['teacher_patch_tokens', 'fit_token_map']


def teacher_patch_tokens(images: Tensor, embedding: dict
                         ) -> Tuple[Tensor, Tuple[int, int]]:
    """The teacher's input tokens of ``images``: patch embedding plus
    position embedding (resized to the grid as :class:`PlainViT` does).

    Args:
        images (Tensor): Normalised images ``(B, c, H_img, W_img)``.
        embedding (dict): The ``teacher_embedding`` of a token file.

    Returns:
        tuple: tokens ``(B, h*w, C_t)`` and the grid ``(h, w)``.
    """
    weight = embedding['weight'].to(images)
    x = F.conv2d(images, weight, embedding['bias'].to(images),
                 stride=tuple(embedding['stride']),
                 padding=tuple(embedding['padding']))  # (B, C_t, h, w)
    hw = tuple(x.shape[-2:])
    pos = resize_pos_embed(embedding['pos_embed'].to(images),
                           tuple(embedding['grid']), hw)  # (1, h*w, C_t)
    return x.flatten(2).transpose(1, 2) + pos, hw


def fit_token_map(source: Tensor, target: Tensor) -> Tuple[Tensor, Tensor]:
    """Least-squares affine map ``target ~ source @ W.T + b``.

    Args:
        source (Tensor): Teacher tokens ``(S, C_t)``.
        target (Tensor): Student tokens of the same patches ``(S, C_s)``.

    Returns:
        tuple: ``W`` ``(C_s, C_t)`` and ``b`` ``(C_s,)``, in float64; the
        minimum-norm solution when the teacher tokens do not span their
        space (e.g. a teacher wider than a patch has pixels).
    """
    if source.dim() != 2 or target.dim() != 2 or len(source) != len(target):
        raise ValueError('fit_token_map: expected (S, C_t) and (S, C_s) '
                         f'samples, got {tuple(source.shape)} and '
                         f'{tuple(target.shape)}')
    src = source.detach().cpu().double()
    design = torch.cat([src, src.new_ones(len(src), 1)], 1)  # (S, C_t + 1)
    # gelsd: SVD-based, minimum norm for rank-deficient designs
    sol = torch.linalg.lstsq(
        design, target.detach().cpu().double(), driver='gelsd').solution
    return sol[:-1].T.contiguous(), sol[-1].clone()  # (C_s, C_t), (C_s,)
