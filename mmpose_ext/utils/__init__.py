"""Utilities."""
from .complexity import (DEFORM_ATTN_OP, SDPA_OP, deform_attn_flop_jit,
                         flop_analyzer, sdpa_flop_jit)

__all__ = [
    'DEFORM_ATTN_OP', 'SDPA_OP', 'deform_attn_flop_jit', 'flop_analyzer',
    'sdpa_flop_jit'
]
