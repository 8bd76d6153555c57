"""FLOP counting of MMCV's deformable attention: MMEngine's counter on the
PyTorch path and our handle for the CUDA op give the analytic count; our
handle for PyTorch's fused attention gives the count of its two products."""
import pytest
import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch
from mmengine.analysis import FlopAnalyzer
from torch import nn

from mmpose_ext.utils import DEFORM_ATTN_OP, SDPA_OP, flop_analyzer

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


# PyTorch's fused attention: (batch, heads, queries, keys, head dim, value dim)
SDPA_CASES = [
    ('self-attention', (2, 4, 17, 17, 8, 8)),
    ('cross-attention, value dim differs', (1, 3, 5, 12, 16, 6)),
]


def _qkv(b, h, lq, lk, e, ev):
    g = torch.Generator().manual_seed(0)
    return (torch.randn(b, h, lq, e, generator=g),
            torch.randn(b, h, lk, e, generator=g),
            torch.randn(b, h, lk, ev, generator=g))


class _Fused(nn.Module):

    def forward(self, q, k, v):
        return nn.functional.scaled_dot_product_attention(q, k, v)


class _Unfused(nn.Module):
    """The same attention as two matrix products, which MMEngine counts."""

    def forward(self, q, k, v):
        weights = (q @ k.transpose(-2, -1) * q.shape[-1]**-0.5).softmax(-1)
        return weights @ v


@pytest.mark.parametrize('shape', [s for _, s in SDPA_CASES],
                         ids=[n for n, _ in SDPA_CASES])
def test_sdpa_handle_counts_both_products(shape):
    b, h, lq, lk, e, ev = shape
    inputs = _qkv(*shape)
    torch.testing.assert_close(_Fused()(*inputs), _Unfused()(*inputs))
    hand = b * h * lq * lk * e + b * h * lq * lk * ev  # q k^T, then with v
    host = FlopAnalyzer(_Fused(), inputs)
    assert host.total() == 0  # MMEngine alone does not know the op
    assert host.unsupported_ops()[SDPA_OP] == 1
    ours = flop_analyzer(_Fused(), inputs)
    assert ours.total() == hand
    assert ours.by_operator() == {'scaled_dot_product_attention': hand}
    assert FlopAnalyzer(_Unfused(), inputs).total() == hand


def test_multihead_attention_without_weights_counts_as_with_weights():
    """``need_weights=False`` (how the ViT blocks call it) runs the fused
    operator; ``need_weights=True`` runs two ``bmm``, which MMEngine
    counts: the same multiply-adds."""
    batch, tokens, dims, heads = 2, 24, 32, 4

    class _Attention(nn.Module):

        def __init__(self, need_weights):
            super().__init__()
            self.need_weights = need_weights
            self.attn = nn.MultiheadAttention(dims, heads, batch_first=True)

        def forward(self, x):
            return self.attn(x, x, x, need_weights=self.need_weights)[0]

    x = torch.randn(batch, tokens, dims,
                    generator=torch.Generator().manual_seed(0))
    fused = _Attention(need_weights=False).eval()
    unfused = _Attention(need_weights=True).eval()
    unfused.load_state_dict(fused.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(fused(x), unfused(x))
    hand = (batch * tokens * dims * 3 * dims  # q, k, v projections
            + 2 * batch * tokens * tokens * dims  # the two products
            + batch * tokens * dims * dims)  # output projection
    assert FlopAnalyzer(unfused, (x, )).total() == hand
    assert flop_analyzer(fused, (x, )).total() == hand


def test_sdpa_handle_counts_the_query_heads_under_grouped_query_attention():
    """4 query heads share 2 key/value heads: every query head still takes
    both products, as if key and value were repeated to 4 heads."""
    b, lq, lk, e, ev = 1, 5, 7, 8, 6

    class _Grouped(nn.Module):

        def forward(self, q, k, v):
            return nn.functional.scaled_dot_product_attention(
                q, k, v, enable_gqa=True)

    g = torch.Generator().manual_seed(0)
    q = torch.randn(b, 4, lq, e, generator=g)
    k = torch.randn(b, 2, lk, e, generator=g)
    v = torch.randn(b, 2, lk, ev, generator=g)
    repeated = (q, k.repeat_interleave(2, 1), v.repeat_interleave(2, 1))
    torch.testing.assert_close(_Grouped()(q, k, v), _Unfused()(*repeated))
    hand = b * 4 * lq * lk * (e + ev)
    assert flop_analyzer(_Grouped(), (q, k, v)).total() == hand
    assert FlopAnalyzer(_Unfused(), repeated).total() == hand
