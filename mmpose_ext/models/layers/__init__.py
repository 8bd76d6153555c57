from .vit_layer import ViTLayer
from .windowed_self_attention import WindowedSelfAttention

__all__ = ['ViTLayer', 'WindowedSelfAttention']
