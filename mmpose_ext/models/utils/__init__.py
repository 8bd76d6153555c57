"""Model utilities: position tables, initialisation from published ViT
weights, the knowledge-token width fit."""
from .knowledge_token_fit import fit_token_map, teacher_patch_tokens
from .pos_embed import fit_pos_embed, resize_pos_embed
from .vit_pretrained import fit_patch_kernel, load_vit_pretrained

__all__ = [
    'fit_patch_kernel', 'fit_pos_embed', 'fit_token_map',
    'load_vit_pretrained', 'resize_pos_embed', 'teacher_patch_tokens'
]
