"""Utilities."""
from .complexity import DEFORM_ATTN_OP, deform_attn_flop_jit, flop_analyzer

__all__ = ['DEFORM_ATTN_OP', 'deform_attn_flop_jit', 'flop_analyzer']
