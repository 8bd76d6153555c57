"""Knowledge-token files: the tokens a ViTPose teacher learned (stage 1 of
token distillation), written by ``export_knowledge_tokens`` and read by the
student's :class:`~mmpose_ext.models.layers.KnowledgeTokens`.

Token file format (weights-only loadable): ``{'knowledge_tokens': Tensor (T,
C_t), 'source': str, 'teacher_embedding': {'weight': (C_t, c, k, k), 'bias':
(C_t,), 'pos_embed': (1, h*w, C_t), 'grid': [h, w], 'stride': [s, s],
'padding': [p, p]}}`` (the teacher's patch and position embedding, written by
``export_knowledge_tokens``; files without it only allow
``transfer='verbatim'``).
"""
import os.path as osp
from typing import Optional, Tuple

import torch
from torch import Tensor

from .weights_only import safe_torch_load

__all__ = ['TOKEN_KEY', 'EMBEDDING_KEY', 'save_knowledge_tokens',
           'read_token_file', 'load_knowledge_tokens']

TOKEN_KEY = 'knowledge_tokens'
EMBEDDING_KEY = 'teacher_embedding'


def save_knowledge_tokens(tokens: Tensor,
                          filename: str,
                          source: str = '',
                          teacher_embedding: Optional[dict] = None) -> None:
    """Write tokens ``(T, C)`` (or ``(1, T, C)``) as a weights-only file,
    with the teacher's patch and position embedding when given (see the
    module docstring for its keys)."""
    tokens = tokens.detach().cpu().float()
    if tokens.dim() == 3 and tokens.shape[0] == 1:
        tokens = tokens[0]
    if tokens.dim() != 2:
        raise ValueError('save_knowledge_tokens: expected tokens (T, C), got '
                         f'shape {tuple(tokens.shape)}')
    data = {TOKEN_KEY: tokens.clone(), 'source': str(source)}
    if teacher_embedding is not None:
        _check_embedding(teacher_embedding, tokens.shape[1], filename)
        data[EMBEDDING_KEY] = {
            k: v.detach().cpu().float().clone() if isinstance(v, Tensor)
            else [int(i) for i in v]
            for k, v in teacher_embedding.items()
        }
    torch.save(data, filename)


def _check_embedding(embedding, width: int, filename: str) -> None:
    keys = {'weight', 'bias', 'pos_embed', 'grid', 'stride', 'padding'}
    if not isinstance(embedding, dict) or set(embedding) != keys:
        raise ValueError(f'{filename!r}: {EMBEDDING_KEY!r} must be a dict '
                         f'with the keys {sorted(keys)}')
    weight, pos = embedding['weight'], embedding['pos_embed']
    h, w = embedding['grid']
    if weight.dim() != 4 or weight.shape[0] != width or tuple(
            pos.shape) != (1, h * w, width):
        raise ValueError(
            f'{filename!r}: the teacher embedding (kernel '
            f'{tuple(weight.shape)}, position table {tuple(pos.shape)}, grid '
            f'{h}x{w}) does not fit tokens of width {width}')


def read_token_file(filename: str) -> Tuple[Tensor, Optional[dict]]:
    """Tokens ``(T, C_t)`` and the teacher embedding (``None`` when the file
    has none) of a file written by :func:`save_knowledge_tokens`."""
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
    embedding = data.get(EMBEDDING_KEY)
    if embedding is not None:
        _check_embedding(embedding, tokens.shape[1], filename)
    return tokens, embedding


def load_knowledge_tokens(filename: str) -> Tensor:
    """Read tokens ``(T, C)`` written by :func:`save_knowledge_tokens`."""
    return read_token_file(filename)[0]
