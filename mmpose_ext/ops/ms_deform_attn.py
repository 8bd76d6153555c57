"""Multi-scale deformable attention with a compiled CPU kernel.

MMCV 2.1.0 compiles its ``MultiScaleDeformableAttention`` kernel for CUDA
(and MLU) only; on the CPU it runs ``multi_scale_deformable_attn_pytorch``,
one ``grid_sample`` per level on a copy of the value, then stacks and weights
the samples. ``csrc/ms_deform_attn_cpu.cpp`` computes the same thing in one
pass over the sampling points, forward and backward, with no per-level
copies. It is compiled on first use with ``torch.utils.cpp_extension`` (the
set-up script builds it ahead) into a cache outside the clone, keyed by the
source, the torch version, the Python version and the CPU's instruction sets
(it is compiled for this CPU, ``-march=native``, and with portable flags
where that fails), so every clone on a machine shares one build.

Where it cannot be built (no compiler, a failed build) or is switched off
(``MMPOSE_EXT_CPU_KERNEL=0``), :func:`ms_deform_attn_kernel` returns None
after one warning that says so, and callers fall back to a PyTorch path.
"""
import hashlib
import os
import os.path as osp
import platform
import shutil
import sys
import warnings
from typing import Optional

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

__all__ = ['kernel_build_dir', 'ms_deform_attn_kernel', 'ms_deform_attn_cpu']

SOURCE = osp.join(osp.dirname(osp.abspath(__file__)), 'csrc',
                  'ms_deform_attn_cpu.cpp')
DISABLE_ENV = 'MMPOSE_EXT_CPU_KERNEL'

_state = {'tried': False, 'module': None}

# compiler flags, tried in order: this CPU's vector units first (the inner
# loops are short vector loops), then flags any x86-64/arm64 build accepts
CFLAGS = (['-O3', '-fopenmp', '-march=native'], ['-O3', '-fopenmp'])


def _cpu_signature() -> bytes:
    """What ``-march=native`` depends on: the CPU's instruction-set flags
    (Linux), else the processor name; a cache shared by unlike machines
    then keeps one build per CPU kind."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith(('flags', 'Features')):
                    return line.encode()
    except OSError:
        pass
    return (platform.machine() + platform.processor()).encode()


def _source_digest() -> str:
    with open(SOURCE, 'rb') as f:
        source = f.read()
    key = b'|'.join([source, torch.__version__.encode(),
                     sys.version.split()[0].encode(), _cpu_signature()])
    return hashlib.sha256(key).hexdigest()[:12]


def kernel_build_dir() -> str:
    """Where the compiled kernel is kept:
    ``$MMPOSE_EXT_CACHE/ops/<digest>`` (default ``~/.cache/mmpose_ext``)."""
    cache = os.environ.get('MMPOSE_EXT_CACHE') or osp.join(
        os.environ.get('XDG_CACHE_HOME') or osp.expanduser('~/.cache'),
        'mmpose_ext')
    return osp.join(cache, 'ops', f'ms_deform_attn_cpu-{_source_digest()}')


def ms_deform_attn_kernel(verbose: bool = False):
    """The compiled extension module (``forward``, ``backward``), built on
    the first call if the cache has none; None, after one warning, where it
    cannot be built or ``MMPOSE_EXT_CPU_KERNEL=0``."""
    if _state['tried']:
        return _state['module']
    _state['tried'] = True
    if os.environ.get(DISABLE_ENV, '1') == '0':
        return None
    try:
        from torch.utils.cpp_extension import load
        build_dir = kernel_build_dir()
        os.makedirs(build_dir, exist_ok=True)
        # compile a copy kept in the cache: the build then does not depend
        # on where this clone lies, so every clone on the machine reuses it
        # (the directory name already holds the source's digest)
        source = osp.join(build_dir, osp.basename(SOURCE))
        if not osp.isfile(source):
            # a file of this process's own, renamed into place at once:
            # processes building side by side never see a partial copy
            partial = f'{source}.{os.getpid()}.tmp'
            shutil.copyfile(SOURCE, partial)
            os.replace(partial, source)
        for i, cflags in enumerate(CFLAGS):
            try:
                _state['module'] = load(
                    name=f'mmpose_ext_ms_deform_attn_cpu_{_source_digest()}'
                    f'_{i}',
                    sources=[source],
                    extra_cflags=cflags,
                    extra_ldflags=['-fopenmp'],
                    build_directory=build_dir,
                    verbose=verbose)
                break
            except Exception:
                if i == len(CFLAGS) - 1:
                    raise
    except Exception as err:  # a missing compiler or ninja, a failed build
        warnings.warn(
            'mmpose_ext: the compiled CPU kernel of multi-scale deformable '
            f'attention could not be built ({type(err).__name__}: '
            f'{str(err).strip().splitlines()[-1] if str(err).strip() else ""})'
            '; TFPose falls back to the PyTorch path (same results, '
            'slower). `python -m mmpose_ext.ops.build` shows the compiler '
            'output; it needs a C++ compiler and the `ninja` package.')
        _state['module'] = None
    return _state['module']


class _MSDeformAttnCPU(torch.autograd.Function):

    @staticmethod
    def forward(ctx, value, spatial_shapes, level_start_index,
                sampling_locations, attention_weights):
        kernel = ms_deform_attn_kernel()
        args = (value.contiguous(), spatial_shapes.long().contiguous(),
                level_start_index.long().contiguous(),
                sampling_locations.contiguous(),
                attention_weights.contiguous())
        ctx.save_for_backward(*args)
        return kernel.forward(*args)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        grad_value, grad_loc, grad_attn = ms_deform_attn_kernel().backward(
            *ctx.saved_tensors, grad_output)
        return grad_value, None, None, grad_loc, grad_attn


def ms_deform_attn_cpu(value: Tensor, spatial_shapes: Tensor,
                       level_start_index: Tensor, sampling_locations: Tensor,
                       attention_weights: Tensor) -> Optional[Tensor]:
    """Multi-scale deformable attention by the compiled CPU kernel.

    Same arguments and result as MMCV's
    ``multi_scale_deformable_attn_pytorch`` (plus ``level_start_index``):

    Args:
        value (Tensor): ``(B, N, heads, D)``, the levels' tokens
            concatenated in the order of ``spatial_shapes``, each row-major.
        spatial_shapes (Tensor): ``(L, 2)``, ``(h_l, w_l)`` of each level.
        level_start_index (Tensor): ``(L,)``, first token of each level.
        sampling_locations (Tensor): ``(B, Q, heads, L, P, 2)``, ``(x, y)``
            with ``[0, 1]`` spanning each level's map (outside reads zeros).
        attention_weights (Tensor): ``(B, Q, heads, L, P)``.

    Returns:
        Tensor | None: ``(B, Q, heads * D)``; None where the kernel is not
        available (the caller then takes a PyTorch path).
    """
    if ms_deform_attn_kernel() is None:
        return None
    return _MSDeformAttnCPU.apply(value, spatial_shapes, level_start_index,
                                  sampling_locations, attention_weights)
