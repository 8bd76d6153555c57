"""FLOP counting with MMEngine's counter, MMCV's deformable attention
included on both of its paths, and PyTorch's fused attention.

On the CPU, ``MultiScaleDeformableAttention`` runs MMCV's PyTorch
reference, whose bilinear sampling is ``F.grid_sample``: MMEngine's
``FlopAnalyzer`` counts ``aten::grid_sampler`` as 4 multiply-adds per
sampled value. On CUDA the same module calls MMCV's kernel through the
autograd function ``MultiScaleDeformableAttnFunction``, which a trace records
as ``prim::PythonOp.MultiScaleDeformableAttnFunction``: an operator MMEngine
does not know and skips with a warning. :func:`deform_attn_flop_jit` counts it
the same way, so both paths give one number.

``torch.nn.MultiheadAttention`` called with ``need_weights=False`` (as
mmpose_ext's ViT blocks call MMCV's attention) runs both attention products in
one operator, ``aten::scaled_dot_product_attention``, which MMEngine does not
know either: uncounted, ViTPose-B (classic decoder, 256x192) loses 0.68 of
its 18.54 GFLOPs (benchmarks/vitpose_complexity.py).
:func:`sdpa_flop_jit` counts the two products as ``aten::bmm`` would.

Conventions (MMEngine's, i.e. fvcore's): one multiply-add is one "flop";
convolutions, linear layers and matrix products are counted, norms by
elements, element-wise operations (activations, residual additions, the
softmax and the attention-weighted sum of the sampled values, which adds one
multiply-add per sampled value) are not.
"""
from typing import Any, List, Tuple, Union

import torch
from mmengine.analysis import FlopAnalyzer
from mmengine.analysis.jit_handles import get_shape
from torch import nn

__all__ = [
    'DEFORM_ATTN_OP', 'SDPA_OP', 'deform_attn_flop_jit', 'flop_analyzer',
    'sdpa_flop_jit'
]

DEFORM_ATTN_OP = 'prim::PythonOp.MultiScaleDeformableAttnFunction'
SDPA_OP = 'aten::scaled_dot_product_attention'


def deform_attn_flop_jit(inputs: List[Any], outputs: List[Any]) -> int:
    """Multiply-adds of MMCV's deformable sampling kernel: 4 per sampled
    value (bilinear interpolation of one channel), as MMEngine counts
    ``aten::grid_sampler`` on the PyTorch path.

    The traced inputs are those of ``MultiScaleDeformableAttnFunction``:
    value (B, N, H, C_h), spatial_shapes (L, 2), level_start_index (L,),
    sampling_locations (B, L_q, H, L, P, 2), attention_weights
    (B, L_q, H, L, P), im2col_step.

    Returns:
        int: ``4 * B * L_q * H * L * P * C_h``.
    """
    value_shape = get_shape(inputs[0])
    loc_shape = get_shape(inputs[3])
    batch, num_query, num_heads, num_levels, num_points, _ = loc_shape
    return 4 * batch * num_query * num_heads * num_levels * num_points * \
        value_shape[-1]


def sdpa_flop_jit(inputs: List[Any], outputs: List[Any]) -> int:
    """Multiply-adds of ``softmax(q k^T * scale) v``: the two matrix
    products, as MMEngine counts ``aten::bmm``; the scaling, the mask and
    the softmax are element-wise and not counted.

    The traced inputs are those of ``F.scaled_dot_product_attention``:
    query (..., L, E), key (..., S, E), value (..., S, Ev), then the mask,
    dropout, causal flag and scale. The leading dimensions (batch, heads) are
    the query's: with grouped-query attention key and value have fewer heads,
    shared by the query's.

    Returns:
        int: ``prod(...) * L * S * (E + Ev)``: ``L * S * E`` for ``q k^T``,
        ``L * S * Ev`` for the product with ``v``.
    """
    query_shape = get_shape(inputs[0])
    key_shape = get_shape(inputs[1])
    value_shape = get_shape(inputs[2])
    *leading, num_query, dims = query_shape
    num_key = key_shape[-2]
    products = 1
    for size in leading:
        products *= size
    return products * num_query * num_key * (dims + value_shape[-1])


def flop_analyzer(model: nn.Module,
                  inputs: Union[torch.Tensor, Tuple[Any, ...]]) -> FlopAnalyzer:
    """MMEngine's ``FlopAnalyzer`` (what ``get_model_complexity_info`` uses)
    with the handles for MMCV's CUDA deformable attention and PyTorch's
    ``scaled_dot_product_attention`` added.

    Args:
        model (nn.Module): The model, in the mode to count (``eval()`` for
            inference).
        inputs (Tensor | tuple): Its forward's arguments.

    Returns:
        FlopAnalyzer: call ``.total()``, ``.by_module()``,
        ``.by_operator()``, ``.unsupported_ops()``.
    """
    return FlopAnalyzer(model, inputs).set_op_handle(
        DEFORM_ATTN_OP, deform_attn_flop_jit, SDPA_OP, sdpa_flop_jit)
