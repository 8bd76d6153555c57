"""Layers shared by heads and backbones."""
from .deformable_sampling import (CPU_SAMPLINGS, CPUDeformableAttention,
                                  multi_scale_deformable_attn_gather,
                                  short_softmax, use_cpu_sampling)
from .knowledge_tokens import KnowledgeTokens, random_like_tokens
from .tfpose_decoder import TFPoseDecoder, TFPoseDecoderLayer
from .vit_layer import ViTLayer
from .windowed_self_attention import WindowedSelfAttention

__all__ = [
    'CPU_SAMPLINGS', 'CPUDeformableAttention', 'KnowledgeTokens',
    'multi_scale_deformable_attn_gather', 'random_like_tokens',
    'short_softmax', 'use_cpu_sampling', 'TFPoseDecoder', 'TFPoseDecoderLayer', 'ViTLayer',
    'WindowedSelfAttention'
]
