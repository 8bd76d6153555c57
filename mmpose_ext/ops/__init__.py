"""Compiled operators (CPU) for what MMCV only compiles for GPUs."""
from .ms_deform_attn import (kernel_build_dir, ms_deform_attn_cpu,
                             ms_deform_attn_kernel)

__all__ = ['kernel_build_dir', 'ms_deform_attn_cpu', 'ms_deform_attn_kernel']
