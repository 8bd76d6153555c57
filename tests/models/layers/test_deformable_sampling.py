"""The one-gather deformable sampling against MMCV's PyTorch reference
(``multi_scale_deformable_attn_pytorch``), forward and backward, and the
attention module that samples with it or with the compiled CPU kernel
against MMCV's module (the kernel itself: tests/ops)."""
import pytest
import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch

from mmpose_ext.models.layers import (CPUDeformableAttention,
                                      multi_scale_deformable_attn_gather,
                                      short_softmax, use_cpu_sampling)

SHAPES = [(16, 12), (8, 6), (4, 3), (1, 1)]


def _inputs(seed, bs=2, queries=7, heads=4, dims=8, points=3, spread=0.3):
    g = torch.Generator().manual_seed(seed)
    shapes = torch.tensor(SHAPES)
    n = int(shapes.prod(1).sum())
    levels = len(SHAPES)
    value = torch.randn(bs, n, heads, dims, generator=g, dtype=torch.float64)
    # many points outside [0, 1] (zero padding) and on cell borders
    loc = torch.rand(bs, queries, heads, levels, points, 2, generator=g,
                     dtype=torch.float64) * (1 + 2 * spread) - spread
    loc[0, 0, 0, 0, 0] = torch.tensor([0.5, 0.25], dtype=torch.float64)
    loc[0, 0, 0, 1, 0] = torch.tensor([0., 1.], dtype=torch.float64)
    weights = torch.rand(bs, queries, heads, levels, points, generator=g,
                         dtype=torch.float64)
    return value, shapes, loc, weights


@pytest.mark.parametrize('seed', [0, 1, 2])
@pytest.mark.parametrize('dtype', [torch.float64, torch.float32])
def test_forward_and_backward_equal_mmcv(seed, dtype):
    inputs = [t.to(dtype) if t.is_floating_point() else t
              for t in _inputs(seed)]
    grads, outs = [], []
    for fn in (multi_scale_deformable_attn_pytorch,
               multi_scale_deformable_attn_gather):
        value, shapes, loc, weights = [
            t.clone().requires_grad_(t.is_floating_point()) for t in inputs]
        out = fn(value, shapes, loc, weights)
        g = torch.Generator().manual_seed(seed + 10)
        upstream = torch.randn(out.shape, generator=g, dtype=dtype)
        (out * upstream).sum().backward()
        outs.append(out.detach())
        grads.append([value.grad, loc.grad, weights.grad])
    assert outs[0].shape == outs[1].shape == (2, 7, 4 * 8)
    torch.testing.assert_close(outs[1], outs[0], atol=1e-5, rtol=0)
    for name, ours, ref in zip(('value', 'locations', 'weights'), grads[1],
                               grads[0]):
        assert ref.abs().max() > 0, name
        # locations: d/dx of bilinear weights x value, scaled by w_l (<= 16)
        torch.testing.assert_close(ours, ref, atol=1e-5 if name != 'locations'
                                   or dtype == torch.float64 else 5e-5,
                                   rtol=0 if dtype == torch.float64 else 1e-5,
                                   msg=name)


def test_wrong_shapes_are_named():
    value, shapes, loc, weights = _inputs(0)
    with pytest.raises(ValueError, match='spatial shapes'):
        multi_scale_deformable_attn_gather(value[:, 1:], shapes, loc, weights)


def _mmcv_and_ours(sampling, seed=0, dropout=0.):
    torch.manual_seed(seed)
    ref = MultiScaleDeformableAttention(
        embed_dims=32, num_heads=4, num_levels=len(SHAPES), num_points=3,
        dropout=dropout, batch_first=True)
    ref.init_weights()
    g = torch.Generator().manual_seed(seed)
    # spread the sampling far beyond MMCV's rings, into the zero padding
    ref.sampling_offsets.weight.data = torch.randn(
        ref.sampling_offsets.weight.shape, generator=g) * 0.5
    ref.attention_weights.weight.data = torch.randn(
        ref.attention_weights.weight.shape, generator=g) * 0.3
    wrapper = torch.nn.Module()
    wrapper.attn = ref
    import copy
    ours = use_cpu_sampling(copy.deepcopy(wrapper), sampling).attn
    return ref, ours


@pytest.mark.parametrize('sampling', ['kernel', 'gather'])
def test_module_equals_mmcv_forward_and_backward(sampling):
    ref, ours = _mmcv_and_ours(sampling)
    assert type(ours) is CPUDeformableAttention and ours.sampling == sampling
    assert ours.state_dict().keys() == ref.state_dict().keys()
    g = torch.Generator().manual_seed(3)
    shapes = torch.tensor(SHAPES)
    n = int(shapes.prod(1).sum())
    start = torch.cat((shapes.new_zeros(1), shapes.prod(1).cumsum(0)[:-1]))
    query = torch.randn(2, 9, 32, generator=g)
    value = torch.randn(2, n, 32, generator=g)
    pos = torch.randn(2, 9, 32, generator=g)
    ref_pts = torch.rand(2, 9, len(SHAPES), 2, generator=g)
    outs, grads = [], []
    for attn in (ref, ours):
        q, v = query.clone().requires_grad_(), value.clone().requires_grad_()
        out = attn(q, value=v, query_pos=pos, reference_points=ref_pts,
                   spatial_shapes=shapes, level_start_index=start)
        out.square().sum().backward()
        outs.append(out.detach())
        grads.append([q.grad, v.grad] +
                     [p.grad.clone() for p in attn.parameters()])
    torch.testing.assert_close(outs[1], outs[0], atol=1e-5, rtol=0)
    for a, b in zip(grads[1], grads[0]):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-5)


@pytest.mark.parametrize('sampling', ['kernel', 'gather'])
def test_tracing_keeps_mmcvs_graph(sampling):
    """Under tracing (ONNX export, FLOP counting) the module runs MMCV's
    grid_sample path, so the traced graph is MMCV's."""
    ref, ours = _mmcv_and_ours(sampling)
    shapes = torch.tensor(SHAPES)
    n = int(shapes.prod(1).sum())
    start = torch.cat((shapes.new_zeros(1), shapes.prod(1).cumsum(0)[:-1]))
    g = torch.Generator().manual_seed(4)
    query = torch.randn(1, 5, 32, generator=g)
    value = torch.randn(1, n, 32, generator=g)
    ref_pts = torch.rand(1, 5, len(SHAPES), 2, generator=g)

    class Call(torch.nn.Module):
        def __init__(self, attn):
            super().__init__()
            self.attn = attn

        def forward(self, q, v, r):
            return self.attn(q, value=v, reference_points=r,
                             spatial_shapes=shapes, level_start_index=start)

    with torch.no_grad():
        traced = torch.jit.trace(Call(ours), (query, value, ref_pts))
        kinds = {node.kind() for node in traced.inlined_graph.nodes()}
        assert 'aten::grid_sampler' in kinds
        assert 'aten::embedding_bag' not in kinds
        assert not any('mmpose_ext' in k or k.startswith('prim::Python')
                       for k in kinds)
        torch.testing.assert_close(
            traced(query, value, ref_pts), Call(ref)(query, value, ref_pts),
            atol=1e-5, rtol=0)


@pytest.mark.parametrize('sampling', ['kernel', 'gather'])
def test_module_without_autograd_equals_mmcv(sampling):
    # inference (no autograd) takes the short softmax's forward alone
    ref, ours = _mmcv_and_ours(sampling)
    g = torch.Generator().manual_seed(5)
    shapes = torch.tensor(SHAPES)
    n = int(shapes.prod(1).sum())
    start = torch.cat((shapes.new_zeros(1), shapes.prod(1).cumsum(0)[:-1]))
    kwargs = dict(value=torch.randn(2, n, 32, generator=g),
                  query_pos=torch.randn(2, 9, 32, generator=g),
                  reference_points=torch.rand(2, 9, len(SHAPES), 2,
                                              generator=g),
                  spatial_shapes=shapes, level_start_index=start)
    query = torch.randn(2, 9, 32, generator=g)
    with torch.no_grad():
        torch.testing.assert_close(ours(query, **kwargs),
                                   ref(query, **kwargs), atol=1e-5, rtol=0)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_short_softmax_equals_softmax_forward_and_backward(dtype):
    g = torch.Generator().manual_seed(0)
    logits = (torch.randn(3, 5, 4, 12, generator=g, dtype=dtype) * 20)
    grad = torch.randn(logits.shape, generator=g, dtype=dtype)
    ours_in = logits.clone().requires_grad_()
    ref_in = logits.clone().requires_grad_()
    ours, ref = short_softmax(ours_in), ref_in.softmax(-1)
    torch.testing.assert_close(ours, ref)
    ours.backward(grad)
    ref.backward(grad)
    torch.testing.assert_close(ours_in.grad, ref_in.grad)
    with torch.no_grad():
        torch.testing.assert_close(short_softmax(logits), ref)
    assert torch.autograd.gradcheck(
        short_softmax, (logits[:1, :2].double().requires_grad_(), ))
