"""Multi-scale deformable attention on the CPU without MMCV's per-level
copies: the compiled kernel of :mod:`mmpose_ext.ops`, or all feature levels
sampled in one gather.

MMCV's PyTorch path, which it runs on every device without its compiled
kernel (the CPU among them), calls ``F.grid_sample`` once per level on a
(B * heads, D, h_l, w_l) copy of the value and stacks the results; its
backward is a ``grid_sample`` backward per level.

* ``'kernel'``: :func:`mmpose_ext.ops.ms_deform_attn_cpu`, a C++ loop over
  the sampling points that adds each point's four bilinear corners straight
  into the output (forward) and into the value's gradient (backward).
* ``'gather'``: :func:`multi_scale_deformable_attn_gather` below, pure
  PyTorch: the four bilinear corners of every sampling point of every level
  are turned into row indices of the value as it already lies in memory,
  (B, N, heads, D), and ``F.embedding_bag`` sums the rows weighted by
  bilinear weight x attention weight in one call. Corners outside a level's
  map get weight zero, as ``grid_sample``'s zero padding; coordinates follow
  ``align_corners=False`` (pixel ``i`` spans ``[i, i + 1)`` of ``w_l``).

:class:`CPUDeformableAttention` is MMCV's ``MultiScaleDeformableAttention``
(same parameters, same initialization, same state dict) that samples one of
these ways on the CPU. While tracing (ONNX export, MMEngine's FLOP counter) it
keeps MMCV's ``grid_sample`` path, whose graph ONNX and the counter know; on
CUDA (and MLU) it keeps MMCV's compiled kernel; where the CPU kernel could not
be built it takes MMCV's path too (after one warning).
"""
import torch
import torch.nn.functional as F
from mmcv.ops import MultiScaleDeformableAttention
from torch import Tensor, nn

from mmcv.ops.multi_scale_deform_attn import \
    multi_scale_deformable_attn_pytorch

from mmpose_ext.ops import ms_deform_attn_cpu

__all__ = [
    'multi_scale_deformable_attn_gather', 'CPUDeformableAttention',
    'short_softmax',
    'use_cpu_sampling', 'CPU_SAMPLINGS'
]

# the ways CPUDeformableAttention samples on the CPU
CPU_SAMPLINGS = ('kernel', 'gather')


def multi_scale_deformable_attn_gather(value: Tensor,
                                       value_spatial_shapes: Tensor,
                                       sampling_locations: Tensor,
                                       attention_weights: Tensor) -> Tensor:
    """Multi-scale deformable attention, all levels in one gather.

    Same arguments and result as MMCV's
    ``multi_scale_deformable_attn_pytorch`` (to float rounding).

    Args:
        value (Tensor): (B, N, heads, D), the levels' tokens concatenated
            in the order of ``value_spatial_shapes``, each row-major.
        value_spatial_shapes (Tensor): (L, 2), (h_l, w_l) of each level.
        sampling_locations (Tensor): (B, Q, heads, L, P, 2), (x, y) in
            [0, 1] of each level's map (outside reads zeros).
        attention_weights (Tensor): (B, Q, heads, L, P).

    Returns:
        Tensor: (B, Q, heads * D).
    """
    bs, num_value, num_heads, dims = value.shape
    _, num_queries, _, num_levels, num_points, _ = sampling_locations.shape
    hs = value_spatial_shapes[:, 0]
    ws = value_spatial_shapes[:, 1]
    if int((hs * ws).sum()) != num_value:
        raise ValueError(
            'multi_scale_deformable_attn_gather: the spatial shapes '
            f'{value_spatial_shapes.tolist()} hold {int((hs * ws).sum())} '
            f'tokens but value has {num_value}')
    starts = torch.cat((hs.new_zeros(1), (hs * ws).cumsum(0)[:-1]))
    # per level, broadcast against (B, Q, heads, L, P)
    w_l = ws.view(num_levels, 1)
    h_l = hs.view(num_levels, 1)
    size = torch.stack((ws, hs), -1).to(sampling_locations.dtype)
    # pixel coordinates with align_corners=False: x * w - 0.5
    pix = sampling_locations * size[:, None] - 0.5  # (B, Q, heads, L, P, 2)
    corner = pix.floor()
    frac = pix - corner
    x0 = corner[..., 0].long()
    y0 = corner[..., 1].long()
    fx = frac[..., 0]
    fy = frac[..., 1]
    # the four corners: (x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1)
    xs = torch.stack((x0, x0 + 1, x0, x0 + 1), -1)  # (B, Q, heads, L, P, 4)
    ys = torch.stack((y0, y0, y0 + 1, y0 + 1), -1)
    wx = torch.stack((1 - fx, fx, 1 - fx, fx), -1)
    wy = torch.stack((1 - fy, 1 - fy, fy, fy), -1)
    w_l = w_l.unsqueeze(-1)  # (L, 1, 1)
    h_l = h_l.unsqueeze(-1)
    inside = (xs >= 0) & (xs < w_l) & (ys >= 0) & (ys < h_l)
    token = (starts.view(num_levels, 1, 1) +
             torch.minimum(ys.clamp(min=0), h_l - 1) * w_l +
             torch.minimum(xs.clamp(min=0), w_l - 1))
    # row of value.reshape(B * N * heads, D) for batch b, token n, head h
    batch = torch.arange(bs, device=value.device).view(bs, 1, 1, 1, 1, 1)
    head = torch.arange(
        num_heads, device=value.device).view(1, 1, num_heads, 1, 1, 1)
    rows = (batch * num_value + token) * num_heads + head
    weights = wx * wy * inside.to(wx.dtype) * attention_weights[..., None]
    bags = bs * num_queries * num_heads
    output = F.embedding_bag(
        rows.reshape(bags, -1),
        value.reshape(bs * num_value * num_heads, dims),
        per_sample_weights=weights.reshape(bags, -1),
        mode='sum')  # (B * Q * heads, D)
    return output.view(bs, num_queries, num_heads * dims)


class _ShortSoftmax(torch.autograd.Function):
    """Softmax over a short last dimension (the L x P = 12 weights of one
    head and query) in element-wise passes. ``Tensor.softmax`` over a
    dimension that short runs about 4x slower on the CPU (batch 32 at
    256x192, 2 threads, benchmarks/tfpose_latency.py); its backward as
    well. Same result to float rounding (tested)."""

    @staticmethod
    def forward(ctx, logits: Tensor) -> Tensor:
        weights = (logits - logits.amax(-1, keepdim=True)).exp_()
        weights = weights.div_(weights.sum(-1, keepdim=True))
        ctx.save_for_backward(weights)
        return weights

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        weights, = ctx.saved_tensors
        # d softmax: w * (g - <g, w>)
        return weights * (grad - (grad * weights).sum(-1, keepdim=True))


def short_softmax(logits: Tensor) -> Tensor:
    """Softmax over the last dimension of ``logits`` (any shape), fast on
    the CPU when that dimension is short. See :class:`_ShortSoftmax`."""
    return _ShortSoftmax.apply(logits)


class CPUDeformableAttention(MultiScaleDeformableAttention):
    """MMCV's ``MultiScaleDeformableAttention`` sampling with the compiled
    CPU kernel (``sampling='kernel'``) or the one-gather PyTorch path
    (``'gather'``) where MMCV would run its PyTorch reference (no compiled
    kernel for the device) and nothing is being traced. Arguments,
    parameters and outputs are MMCV's; 2-D reference points only (what the
    TFPose encoder and decoder pass).

    Args:
        sampling (str): ``'kernel'`` or ``'gather'``.
        **kwargs: MMCV's ``MultiScaleDeformableAttention`` arguments.
    """

    def __init__(self, sampling: str = 'kernel', **kwargs):
        if sampling not in CPU_SAMPLINGS:
            raise ValueError(f'{type(self).__name__}: sampling must be one '
                             f'of {CPU_SAMPLINGS}, got {sampling!r}')
        super().__init__(**kwargs)
        self.sampling = sampling

    def forward(self,
                query: Tensor,
                key=None,
                value=None,
                identity=None,
                query_pos=None,
                key_padding_mask=None,
                reference_points=None,
                spatial_shapes=None,
                level_start_index=None,
                **kwargs) -> Tensor:
        tracing = torch.jit.is_tracing() or torch.onnx.is_in_onnx_export()
        fast = (not tracing and not query.is_cuda
                and not getattr(query, 'is_mlu', False)
                and reference_points is not None
                and reference_points.shape[-1] == 2)
        if not fast:
            return super().forward(
                query, key, value, identity, query_pos, key_padding_mask,
                reference_points, spatial_shapes, level_start_index,
                **kwargs)
        # MMCV's forward, with the sampling below
        if value is None:
            value = query
        if identity is None:
            identity = query
        if query_pos is not None:
            query = query + query_pos
        if not self.batch_first:
            query = query.permute(1, 0, 2)
            value = value.permute(1, 0, 2)
        bs, num_query, _ = query.shape
        _, num_value, _ = value.shape
        value = self.value_proj(value)
        if key_padding_mask is not None:
            value = value.masked_fill(key_padding_mask[..., None], 0.0)
        value = value.view(bs, num_value, self.num_heads, -1)
        sampling_offsets = self.sampling_offsets(query).view(
            bs, num_query, self.num_heads, self.num_levels, self.num_points,
            2)
        attention_weights = short_softmax(self.attention_weights(query).view(
            bs, num_query, self.num_heads, self.num_levels * self.num_points)
        ).view(bs, num_query, self.num_heads, self.num_levels,
               self.num_points)
        # offsets are in pixels of each level: x / w_l, y / h_l, as one
        # multiply-add instead of a division and an addition
        inv_size = 1 / torch.stack(
            [spatial_shapes[..., 1], spatial_shapes[..., 0]], -1).to(
                sampling_offsets.dtype)
        sampling_locations = torch.addcmul(
            reference_points[:, :, None, :, None, :], sampling_offsets,
            inv_size[None, None, None, :, None, :])
        if self.sampling == 'kernel':
            if level_start_index is None:
                sizes = spatial_shapes.prod(-1)
                level_start_index = torch.cat(
                    (sizes.new_zeros(1), sizes.cumsum(0)[:-1]))
            output = ms_deform_attn_cpu(value, spatial_shapes,
                                        level_start_index,
                                        sampling_locations, attention_weights)
            if output is None:  # the kernel could not be built: MMCV's path
                output = multi_scale_deformable_attn_pytorch(
                    value, spatial_shapes, sampling_locations,
                    attention_weights)
        else:
            output = multi_scale_deformable_attn_gather(
                value, spatial_shapes, sampling_locations, attention_weights)
        output = self.output_proj(output)
        if not self.batch_first:
            output = output.permute(1, 0, 2)
        return self.dropout(output) + identity


def use_cpu_sampling(module: nn.Module, sampling: str = 'kernel'
                     ) -> nn.Module:
    """Replace every MMCV ``MultiScaleDeformableAttention`` inside
    ``module`` by a :class:`CPUDeformableAttention` sampling as ``sampling``
    says, with the same hyper-parameters and weights (in place; returns
    ``module``)."""
    for name, child in list(module.named_children()):
        if type(child) is MultiScaleDeformableAttention:
            new = CPUDeformableAttention(
                sampling=sampling,
                embed_dims=child.embed_dims,
                num_heads=child.num_heads,
                num_levels=child.num_levels,
                num_points=child.num_points,
                im2col_step=child.im2col_step,
                dropout=child.dropout.p,
                batch_first=child.batch_first,
                norm_cfg=getattr(child, 'norm_cfg', None),
                init_cfg=child.init_cfg)
            new.load_state_dict(child.state_dict())
            setattr(module, name, new)
        else:
            use_cpu_sampling(child, sampling)
    return module
