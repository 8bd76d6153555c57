"""FLOP counting of MMCV's deformable attention: MMEngine's counter on the
PyTorch path and our handle for the CUDA op give the analytic count."""
import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch
from mmengine.analysis import FlopAnalyzer
from torch import nn

from mmpose_ext.utils import DEFORM_ATTN_OP, flop_analyzer

B, C, HEADS, POINTS = 1, 64, 4, 2
SHAPES = ((16, 12), (8, 6), (4, 3))
NQ = 17


class _Attn(nn.Module):
    """One MMCV deformable attention, queries attending a memory."""

    def __init__(self):
        super().__init__()
        self.attn = MultiScaleDeformableAttention(
            embed_dims=C, num_heads=HEADS, num_levels=len(SHAPES),
            num_points=POINTS, batch_first=True)

    def forward(self, query, value, reference_points):
        shapes = torch.tensor(SHAPES)
        start = torch.cat((shapes.new_zeros(1), shapes.prod(1).cumsum(0)[:-1]))
        return self.attn(query, value=value, reference_points=reference_points,
                         spatial_shapes=shapes, level_start_index=start)


def _inputs():
    g = torch.Generator().manual_seed(0)
    nv = sum(h * w for h, w in SHAPES)
    return (torch.randn(B, NQ, C, generator=g), torch.randn(B, nv, C,
                                                            generator=g),
            torch.rand(B, NQ, len(SHAPES), 2, generator=g))


def _analytic():
    nv = sum(h * w for h, w in SHAPES)
    levels = len(SHAPES)
    linear = (nv * C * C  # value_proj
              + NQ * C * HEADS * levels * POINTS * 2  # sampling_offsets
              + NQ * C * HEADS * levels * POINTS  # attention_weights
              + NQ * C * C)  # output_proj
    sampling = 4 * NQ * HEADS * levels * POINTS * (C // HEADS)
    return linear, sampling


def test_cpu_path_counts_the_sampling():
    model = _Attn().eval()
    linear, sampling = _analytic()
    analyzer = FlopAnalyzer(model, _inputs())
    assert analyzer.by_operator()['grid_sampler'] == sampling
    assert analyzer.total() == linear + sampling
    # our analyzer (with the CUDA handle) gives the same number on the CPU
    assert flop_analyzer(model, _inputs()).total() == linear + sampling


class MultiScaleDeformableAttnFunction(torch.autograd.Function):
    """Stands in for MMCV's CUDA function (same name and arguments, so a
    trace records the same ``prim::PythonOp``), computing with MMCV's
    PyTorch reference: the CUDA kernel cannot run on the CPU."""

    @staticmethod
    def forward(ctx, value, shapes, start, locations, weights, im2col_step):
        return multi_scale_deformable_attn_pytorch(value, shapes, locations,
                                                   weights)


class _CudaPath(nn.Module):
    """The call MMCV's attention makes on CUDA, on the stand-in function."""

    def forward(self, value, locations, weights):
        shapes = torch.tensor(SHAPES)
        start = torch.cat((shapes.new_zeros(1), shapes.prod(1).cumsum(0)[:-1]))
        return MultiScaleDeformableAttnFunction.apply(value, shapes, start,
                                                      locations, weights, 64)


def test_cuda_op_handle():
    g = torch.Generator().manual_seed(0)
    nv = sum(h * w for h, w in SHAPES)
    levels = len(SHAPES)
    inputs = (torch.randn(B, nv, HEADS, C // HEADS, generator=g),
              torch.rand(B, NQ, HEADS, levels, POINTS, 2, generator=g),
              torch.rand(B, NQ, HEADS, levels, POINTS, generator=g))
    _, sampling = _analytic()
    host = FlopAnalyzer(_CudaPath(), inputs)
    assert host.total() == 0  # MMEngine alone does not know the op
    assert host.unsupported_ops()[DEFORM_ATTN_OP] == 1
    assert flop_analyzer(_CudaPath(), inputs).total() == sampling
