"""Self-supervised pre-training of backbones (MAE)."""
from .mae import (MAEPretrainer, mae_target, masked_patch_loss,
                  patchify, random_masking, unpatchify)
from .mae_decoder import MAEDecoder, sincos_pos_embed_2d

__all__ = [
    'MAEPretrainer', 'MAEDecoder', 'mae_target', 'masked_patch_loss',
    'patchify', 'random_masking', 'sincos_pos_embed_2d', 'unpatchify'
]
