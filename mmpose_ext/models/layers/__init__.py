"""Layers shared by heads and backbones."""
from .deformable_sampling import (GatherDeformableAttention,
                                  multi_scale_deformable_attn_gather,
                                  use_gather_sampling)
from .tfpose_decoder import TFPoseDecoder, TFPoseDecoderLayer
from .vit_layer import ViTLayer
from .windowed_self_attention import WindowedSelfAttention

__all__ = [
    'GatherDeformableAttention', 'multi_scale_deformable_attn_gather',
    'use_gather_sampling', 'TFPoseDecoder', 'TFPoseDecoderLayer', 'ViTLayer', 'WindowedSelfAttention'
]
