"""Layers shared by heads and backbones."""
from .tfpose_decoder import TFPoseDecoder, TFPoseDecoderLayer

__all__ = ['TFPoseDecoder', 'TFPoseDecoderLayer']
