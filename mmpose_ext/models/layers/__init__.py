"""Layers shared by heads and backbones."""
from .tfpose_decoder import TFPoseDecoder, TFPoseDecoderLayer
from .vit_layer import ViTLayer
from .windowed_self_attention import WindowedSelfAttention

__all__ = [
    'TFPoseDecoder', 'TFPoseDecoderLayer', 'ViTLayer', 'WindowedSelfAttention'
]
