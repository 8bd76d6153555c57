"""FLOP counting with MMEngine's counter, MMCV's deformable attention
included on both of its paths.

On the CPU, ``MultiScaleDeformableAttention`` runs MMCV's PyTorch
reference, whose bilinear sampling is ``F.grid_sample``: MMEngine's
``FlopAnalyzer`` counts ``aten::grid_sampler`` as 4 multiply-adds per
sampled value. On CUDA the same module calls MMCV's kernel through the
autograd function ``MultiScaleDeformableAttnFunction``, which a trace records
as ``prim::PythonOp.MultiScaleDeformableAttnFunction``: an operator MMEngine
does not know and skips with a warning. :func:`deform_attn_flop_jit` counts it
the same way, so both paths give one number.

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

__all__ = ['DEFORM_ATTN_OP', 'deform_attn_flop_jit', 'flop_analyzer']

DEFORM_ATTN_OP = 'prim::PythonOp.MultiScaleDeformableAttnFunction'


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


def flop_analyzer(model: nn.Module,
                  inputs: Union[torch.Tensor, Tuple[Any, ...]]) -> FlopAnalyzer:
    """MMEngine's ``FlopAnalyzer`` (what ``get_model_complexity_info`` uses)
    with the handle for MMCV's CUDA deformable attention added.

    Args:
        model (nn.Module): The model, in the mode to count (``eval()`` for
            inference).
        inputs (Tensor | tuple): Its forward's arguments.

    Returns:
        FlopAnalyzer: call ``.total()``, ``.by_module()``,
        ``.by_operator()``, ``.unsupported_ops()``.
    """
    return FlopAnalyzer(model, inputs).set_op_handle(DEFORM_ATTN_OP,
                                                     deform_attn_flop_jit)
