"""Model utilities: published-weight converters."""
from .vit_checkpoint import (convert_vit_backbone, convert_vitpose_checkpoint,
                             load_pose_checkpoint, load_vit_pretrained,
                             resize_pos_embed, vit_backbone_to_official,
                             vitpose_checkpoint_to_official)

__all__ = [
    'convert_vit_backbone', 'convert_vitpose_checkpoint',
    'load_pose_checkpoint', 'load_vit_pretrained', 'resize_pos_embed',
    'vit_backbone_to_official', 'vitpose_checkpoint_to_official'
]
