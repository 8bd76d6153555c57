"""The official ViTPose forward, written from the official code (mmpose 0.x
``ViT`` and ``TopdownHeatmapSimpleHead``) as plain functions of a state dict
in the official layout: the oracle of the ViTPose tests.

Official layout (prefix ``backbone.`` / ``keypoint_head.`` in checkpoints):
``patch_embed.proj`` (Conv2d, kernel/stride 16, padding 2), ``pos_embed``
(1, 1 + N, C) added as ``pos[:, 1:] + pos[:, :1]``, ``blocks.i.{norm1,
attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}``, ``last_norm``; LayerNorm eps
1e-6, exact GELU, attention scale head_dim ** -0.5.
"""
import math
from collections import OrderedDict

import torch
import torch.nn.functional as F


def official_shapes(embed_dims, num_layers, grid, patch=16, head=None,
                    num_keypoints=17, deconv=(256, 256)):
    """Name -> shape of an official ViTPose checkpoint (backbone, plus
    ``keypoint_head.*`` for ``head='classic'`` / ``'simple'``)."""
    c = embed_dims
    shapes = OrderedDict()
    shapes['backbone.pos_embed'] = (1, grid[0] * grid[1] + 1, c)
    shapes['backbone.patch_embed.proj.weight'] = (c, 3, patch, patch)
    shapes['backbone.patch_embed.proj.bias'] = (c, )
    for i in range(num_layers):
        p = f'backbone.blocks.{i}.'
        shapes[p + 'norm1.weight'] = (c, )
        shapes[p + 'norm1.bias'] = (c, )
        shapes[p + 'attn.qkv.weight'] = (3 * c, c)
        shapes[p + 'attn.qkv.bias'] = (3 * c, )
        shapes[p + 'attn.proj.weight'] = (c, c)
        shapes[p + 'attn.proj.bias'] = (c, )
        shapes[p + 'norm2.weight'] = (c, )
        shapes[p + 'norm2.bias'] = (c, )
        shapes[p + 'mlp.fc1.weight'] = (4 * c, c)
        shapes[p + 'mlp.fc1.bias'] = (4 * c, )
        shapes[p + 'mlp.fc2.weight'] = (c, 4 * c)
        shapes[p + 'mlp.fc2.bias'] = (c, )
    shapes['backbone.last_norm.weight'] = (c, )
    shapes['backbone.last_norm.bias'] = (c, )
    if head == 'classic':
        cin = c
        for j, cout in zip((0, 3), deconv):
            p = f'keypoint_head.deconv_layers.'
            shapes[p + f'{j}.weight'] = (cin, cout, 4, 4)
            for name in ('weight', 'bias', 'running_mean', 'running_var'):
                shapes[p + f'{j + 1}.{name}'] = (cout, )
            cin = cout
        shapes['keypoint_head.final_layer.weight'] = (num_keypoints, cin, 1,
                                                      1)
        shapes['keypoint_head.final_layer.bias'] = (num_keypoints, )
    elif head == 'simple':
        shapes['keypoint_head.final_layer.weight'] = (num_keypoints, c, 3, 3)
        shapes['keypoint_head.final_layer.bias'] = (num_keypoints, )
    return shapes


def official_state_dict(embed_dims, num_layers, grid, seed=0, **kwargs):
    """Seeded random tensors of :func:`official_shapes` (norm scales around
    1, positive running variances, a non-zero class-token position slot)."""
    gen = torch.Generator().manual_seed(seed)
    out = OrderedDict()
    for name, shape in official_shapes(embed_dims, num_layers, grid,
                                       **kwargs).items():
        t = torch.randn(shape, generator=gen)
        if name.endswith('running_var'):
            t = t.abs() + 0.5
        elif 'norm' in name and name.endswith('weight') or (
                'deconv_layers' in name and name.endswith(('1.weight',
                                                           '4.weight'))):
            t = 1 + 0.1 * t
        elif name.endswith('pos_embed'):
            t = 0.1 * t
        else:
            t = t * (0.5 / math.sqrt(max(shape[-1] if len(shape) == 2 else
                                         math.prod(shape[1:]), 1)))
        out[name] = t
    return out


def official_backbone(sd, x, num_heads, padding=2):
    """Images (B, 3, h, w) -> (B, C, H, W) as the official ``ViT``."""
    sd = {k[len('backbone.'):]: v for k, v in sd.items()
          if k.startswith('backbone.')}
    x = F.conv2d(x, sd['patch_embed.proj.weight'], sd['patch_embed.proj.bias'],
                 stride=16, padding=padding)
    B, C, Hp, Wp = x.shape
    x = x.flatten(2).transpose(1, 2)
    pos = sd['pos_embed']
    x = x + pos[:, 1:] + pos[:, :1]
    N = Hp * Wp
    i = 0
    while f'blocks.{i}.norm1.weight' in sd:
        p = f'blocks.{i}.'
        h = F.layer_norm(x, (C, ), sd[p + 'norm1.weight'],
                         sd[p + 'norm1.bias'], 1e-6)
        qkv = F.linear(h, sd[p + 'attn.qkv.weight'], sd[p + 'attn.qkv.bias'])
        qkv = qkv.reshape(B, N, 3, num_heads, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q * (C // num_heads)**-0.5) @ k.transpose(-2, -1)).softmax(-1)
        h = (attn @ v).transpose(1, 2).reshape(B, N, -1)
        x = x + F.linear(h, sd[p + 'attn.proj.weight'], sd[p + 'attn.proj.bias'])
        h = F.layer_norm(x, (C, ), sd[p + 'norm2.weight'],
                         sd[p + 'norm2.bias'], 1e-6)
        h = F.linear(F.gelu(F.linear(h, sd[p + 'mlp.fc1.weight'],
                                     sd[p + 'mlp.fc1.bias'])),
                     sd[p + 'mlp.fc2.weight'], sd[p + 'mlp.fc2.bias'])
        x = x + h
        i += 1
    x = F.layer_norm(x, (C, ), sd['last_norm.weight'], sd['last_norm.bias'],
                     1e-6)
    return x.permute(0, 2, 1).reshape(B, C, Hp, Wp)


def official_head(sd, x, head):
    """Features (B, C, H, W) -> heatmaps (B, K, 4H, 4W): the classic decoder
    (Eq. 2, eval-mode BN) or the simple one (Eq. 3)."""
    sd = {k[len('keypoint_head.'):]: v for k, v in sd.items()
          if k.startswith('keypoint_head.')}
    if head == 'simple':
        x = F.interpolate(F.relu(x), scale_factor=4, mode='bilinear',
                          align_corners=False)
        return F.conv2d(x, sd['final_layer.weight'], sd['final_layer.bias'],
                        padding=1)
    for j in (0, 3):
        x = F.conv_transpose2d(x, sd[f'deconv_layers.{j}.weight'], stride=2,
                               padding=1, output_padding=0)
        b = f'deconv_layers.{j + 1}.'
        x = F.relu(F.batch_norm(x, sd[b + 'running_mean'],
                                sd[b + 'running_var'], sd[b + 'weight'],
                                sd[b + 'bias'], False, 0., 1e-5))
    return F.conv2d(x, sd['final_layer.weight'], sd['final_layer.bias'])


def vitpose_estimator_cfg(head, arch, img_size, in_channels,
                          deconv=(256, 256)):
    """MMPose ``TopdownPoseEstimator`` config of the model the oracle
    checks: ``PlainViT`` (``arch``, ``img_size``) with the classic decoder
    (two 4x4 deconvolutions of ``deconv`` channels, 1x1 prediction) or the
    simple one (ReLU, bilinear x4, 3x3 prediction) on ``in_channels``
    features."""
    head_cfg = dict(type='HeatmapHead', in_channels=in_channels,
                    out_channels=17,
                    loss=dict(type='KeypointMSELoss', use_target_weight=True))
    neck = None
    if head == 'classic':
        head_cfg.update(deconv_out_channels=tuple(deconv),
                        deconv_kernel_sizes=(4, ) * len(deconv))
    elif head == 'simple':
        neck = dict(type='FeatureMapProcessor', scale_factor=4.0,
                    apply_relu=True)
        head_cfg.update(deconv_out_channels=[], deconv_kernel_sizes=[],
                        final_layer=dict(kernel_size=3, padding=1))
    else:
        raise ValueError(f"head must be 'classic' or 'simple', got {head!r}")
    return dict(type='TopdownPoseEstimator',
                backbone=dict(type='PlainViT', arch=arch, img_size=img_size),
                neck=neck, head=head_cfg)
