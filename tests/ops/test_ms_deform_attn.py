"""The compiled CPU deformable attention against MMCV's PyTorch reference
(``multi_scale_deformable_attn_pytorch``), forward and backward, on random
shapes: one level and several, several heads and points, sampling points
outside the maps; gradcheck in float64; the PyTorch fallback when the kernel
is switched off."""
import os
import subprocess
import sys

import pytest
import torch
from mmcv.ops.multi_scale_deform_attn import \
    multi_scale_deformable_attn_pytorch

from mmpose_ext.ops import ms_deform_attn_cpu, ms_deform_attn_kernel
from tests.helpers import REPO

pytestmark = pytest.mark.skipif(
    ms_deform_attn_kernel() is None,
    reason='the CPU kernel could not be built here (see the warning)')


def inputs(shapes, batch=2, queries=7, heads=2, dims=4, points=3, spread=0.2,
           dtype=torch.float32, seed=0):
    """Random value, locations (a ``spread`` beyond [0, 1] on each side, so
    that some corners fall outside a map) and normalised weights."""
    gen = torch.Generator().manual_seed(seed)
    shapes = torch.tensor(shapes, dtype=torch.long)  # (L, 2)
    levels = len(shapes)
    starts = torch.cat([shapes.new_zeros(1),
                        (shapes[:, 0] * shapes[:, 1]).cumsum(0)[:-1]])
    num_value = int((shapes[:, 0] * shapes[:, 1]).sum())
    value = torch.randn(batch, num_value, heads, dims, generator=gen,
                        dtype=dtype)
    loc = torch.rand(batch, queries, heads, levels, points, 2, generator=gen,
                     dtype=dtype) * (1 + 2 * spread) - spread
    attn = torch.rand(batch, queries, heads, levels, points, generator=gen,
                      dtype=dtype)
    attn = attn / attn.sum((-1, -2), keepdim=True)
    return value, shapes, starts, loc, attn


CASES = {
    'one level': dict(shapes=[(5, 7)]),
    'three levels': dict(shapes=[(8, 6), (4, 3), (2, 2)]),
    'many heads and points': dict(shapes=[(6, 5), (3, 3)], heads=8, points=4,
                                  dims=8),
    'one pixel maps': dict(shapes=[(1, 1), (2, 1)], queries=3),
    'far outside': dict(shapes=[(4, 4)], spread=1.5),
    # the head widths with a compiled-in loop length (16, 32, 64)
    'head width 32': dict(shapes=[(6, 5), (3, 3)], heads=2, dims=32,
                          spread=0.1),
    'head width 64': dict(shapes=[(5, 4)], heads=1, dims=64, points=2),
    'TFPose encoder': dict(shapes=[(16, 12), (8, 6), (4, 3)], batch=1,
                           queries=252, heads=8, dims=16, points=4,
                           spread=0.05),
}


@pytest.mark.parametrize('case', list(CASES))
def test_forward_and_backward_match_mmcv_reference(case):
    value, shapes, starts, loc, attn = inputs(**CASES[case])
    ours_in = [t.clone().requires_grad_() for t in (value, loc, attn)]
    ref_in = [t.clone().requires_grad_() for t in (value, loc, attn)]
    ours = ms_deform_attn_cpu(ours_in[0], shapes, starts, ours_in[1],
                              ours_in[2])
    ref = multi_scale_deformable_attn_pytorch(ref_in[0], shapes, ref_in[1],
                                              ref_in[2])
    assert ours.shape == ref.shape
    torch.testing.assert_close(ours, ref, rtol=1e-5, atol=1e-5)
    grad = torch.randn(ref.shape, generator=torch.Generator().manual_seed(9))
    ours.backward(grad)
    ref.backward(grad)
    for name, a, b in zip(('value', 'locations', 'weights'), ours_in,
                          ref_in):
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-5, atol=1e-5,
                                   msg=lambda m: f'grad of {name}: {m}')


def test_gradcheck_in_double():
    value, shapes, starts, loc, attn = inputs(
        [(4, 3), (2, 2)], batch=1, queries=3, heads=2, dims=3, points=2,
        dtype=torch.float64, seed=3)
    args = [value.requires_grad_(), shapes, starts, loc.requires_grad_(),
            attn.requires_grad_()]
    assert torch.autograd.gradcheck(ms_deform_attn_cpu, args, eps=1e-6,
                                    atol=1e-5)


def _fallback_probe(env):
    """Run the op in a fresh process with ``env``; its stdout and stderr."""
    code = ('import torch\n'
            'from mmpose_ext.ops import ms_deform_attn_cpu\n'
            'v = torch.zeros(1, 1, 1, 1); s = torch.tensor([[1, 1]])\n'
            'out = ms_deform_attn_cpu(v, s, torch.zeros(1, dtype=torch.long),'
            ' torch.zeros(1, 1, 1, 1, 1, 2), torch.ones(1, 1, 1, 1, 1))\n'
            'print("fallback" if out is None else "kernel")\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, env={**os.environ, **env}, cwd=REPO,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip(), proc.stderr


def test_switched_off_kernel_returns_none_for_the_fallback():
    out, _ = _fallback_probe({'MMPOSE_EXT_CPU_KERNEL': '0'})
    assert out == 'fallback'


def test_a_failed_build_warns_and_falls_back(tmp_path):
    # an empty cache and a compiler that always fails
    out, err = _fallback_probe({'MMPOSE_EXT_CACHE': str(tmp_path),
                                'CXX': '/bin/false',
                                'MMPOSE_EXT_CPU_KERNEL': '1'})
    assert out == 'fallback'
    assert 'could not be built' in err and 'PyTorch path' in err
