"""Where a state dict holds a ViT backbone, and in which layout.

Three layouts of the same tensors are known (the names below are relative to
the backbone; :func:`locate_vit` finds the backbone by what it holds, under
any prefix: none, ``backbone.``, MAE's ``encoder.``, ...):

* ``timm``: the official ViTPose backbone (mmpose 0.x ``ViT``) and MAE
  checkpoints: ``patch_embed.proj``, ``blocks.N.{norm1, attn.qkv, attn.proj,
  norm2, mlp.fc1, mlp.fc2}``, ``pos_embed`` (with a class-token slot),
  ``cls_token``; the final norm is ``last_norm`` (ViTPose) or ``norm`` (MAE).
* ``mmpretrain``: MMPose 1.x's ViTPose configs (``mmpretrain.
  VisionTransformer``) and their model-zoo checkpoints:
  ``patch_embed.projection``, ``layers.N.{ln1, attn.qkv, attn.proj, ln2,
  ffn.layers.0.0, ffn.layers.1}``, final norm ``ln1``.
* ``mmpose_ext``: :class:`PlainViT` itself, whose attention is MMCV's
  ``MultiheadAttention``: ``layers.N.attn.attn.in_proj_{weight,bias}`` holds
  ``qkv`` (rows ``[q; k; v]``, the same order) and ``attn.attn.out_proj`` is
  ``proj``.

The key tables here define the layouts;
:mod:`~mmpose_ext.checkpoints.vit_conversion` renames between them.
"""
import re
from typing import Dict, List, Optional, Tuple

from torch import Tensor

__all__ = ['LAYOUTS', 'locate_vit', 'find_vit', 'backbone_of', 'vit_layout']

# per-layer names: (ours, timm, mmpretrain)
_LAYER_KEYS = (
    ('ln1.weight', 'norm1.weight', 'ln1.weight'),
    ('ln1.bias', 'norm1.bias', 'ln1.bias'),
    ('attn.attn.in_proj_weight', 'attn.qkv.weight', 'attn.qkv.weight'),
    ('attn.attn.in_proj_bias', 'attn.qkv.bias', 'attn.qkv.bias'),
    ('attn.attn.out_proj.weight', 'attn.proj.weight', 'attn.proj.weight'),
    ('attn.attn.out_proj.bias', 'attn.proj.bias', 'attn.proj.bias'),
    ('ln2.weight', 'norm2.weight', 'ln2.weight'),
    ('ln2.bias', 'norm2.bias', 'ln2.bias'),
    ('ffn.layers.0.0.weight', 'mlp.fc1.weight', 'ffn.layers.0.0.weight'),
    ('ffn.layers.0.0.bias', 'mlp.fc1.bias', 'ffn.layers.0.0.bias'),
    ('ffn.layers.1.weight', 'mlp.fc2.weight', 'ffn.layers.1.weight'),
    ('ffn.layers.1.bias', 'mlp.fc2.bias', 'ffn.layers.1.bias'),
)
# top-level names: (ours, timm, mmpretrain)
_TOP_KEYS = (
    ('patch_embed.projection.weight', 'patch_embed.proj.weight',
     'patch_embed.projection.weight'),
    ('patch_embed.projection.bias', 'patch_embed.proj.bias',
     'patch_embed.projection.bias'),
    ('pos_embed', 'pos_embed', 'pos_embed'),
    ('last_norm.weight', 'last_norm.weight', 'ln1.weight'),
    ('last_norm.bias', 'last_norm.bias', 'ln1.bias'),
)
_LAYOUT_INDEX = {'mmpose_ext': 0, 'timm': 1, 'mmpretrain': 2}
# the known layouts, by name
LAYOUTS = tuple(_LAYOUT_INDEX)
_LAYER_PREFIX = {
    'mmpose_ext': 'layers',
    'timm': 'blocks',
    'mmpretrain': 'layers'
}
# Keys of published checkpoints that a pose backbone does not use: class
# token, MAE's encoder norm and mask token, MAE's decoder, classifier heads.
_UNUSED = re.compile(r'^(cls_token|mask_token|norm\.|decoder_|decoder\.|'
                     r'head\.|fc_norm\.|pre_logits\.)')


def _layout_signature(layout: str) -> Tuple[str, str, Tuple[str, ...]]:
    """``(qkv key of layer 0, patch kernel key, keys of layer 0)`` of a
    layout, relative to the backbone."""
    i, lp = _LAYOUT_INDEX[layout], _LAYER_PREFIX[layout]
    layer0 = tuple(f'{lp}.0.{names[i]}' for names in _LAYER_KEYS)
    return layer0[2], _TOP_KEYS[0][i], layer0


def locate_vit(state_dict: Dict[str, Tensor]) -> List[Tuple[str, str]]:
    """Where a state dict holds a ViT backbone, and in which layout.

    A ViT is recognised by what it holds, wherever it sits: under some
    prefix ``P`` (``''``, ``'backbone.'``, MAE's ``'encoder.'``, ...) a 4-D
    patch kernel ``(C, c, k, k)``, a 3-D position table ``(1, M, C)`` and a
    complete first layer of one layout whose ``qkv`` projection is ``(3C,
    C)``. Decoders (no patch embedding) and stray keys that merely contain a
    layout's names are not taken for a backbone.

    Returns:
        list[tuple[str, str]]: ``(prefix, layout)`` of every ViT found,
        outermost first (shortest prefix).
    """
    found = []
    for layout in _LAYOUT_INDEX:
        qkv, patch, layer0 = _layout_signature(layout)
        for key in state_dict:
            if not key.endswith(qkv):
                continue
            prefix = key[:-len(qkv)]
            if prefix and not prefix.endswith('.'):
                continue  # e.g. MAE's ``decoder_blocks.0...``
            kernel = state_dict.get(prefix + patch)
            pos = state_dict.get(prefix + 'pos_embed')
            weight = state_dict[key]
            if not (isinstance(kernel, Tensor) and kernel.dim() == 4
                    and isinstance(pos, Tensor) and pos.dim() == 3
                    and isinstance(weight, Tensor)
                    and tuple(weight.shape) == (3 * kernel.shape[0],
                                                kernel.shape[0])
                    and pos.shape[-1] == kernel.shape[0]):
                continue
            if all(prefix + k in state_dict for k in layer0):
                found.append((prefix, layout))
    return sorted(found, key=lambda pl: (len(pl[0]), pl[0]))


def find_vit(state_dict: Dict[str, Tensor],
             prefix: Optional[str] = None) -> Tuple[str, str]:
    """``(prefix, layout)`` of the one ViT backbone in ``state_dict`` (see
    :func:`locate_vit`); with ``prefix`` given, the one under it.

    Raises:
        ValueError: no ViT (under ``prefix``), or several and no ``prefix``
            to choose.
    """
    found = locate_vit(state_dict)
    if prefix is not None:
        found = [pl for pl in found if pl[0] == prefix]
    if not found:
        where = '' if prefix is None else f' under {prefix!r}'
        raise ValueError(
            f'not a ViT state dict{where}: no patch embedding, position '
            'table and complete first layer of the official ViTPose / MAE '
            '("blocks.N.*"), mmpretrain ("layers.N.attn.qkv.*") or '
            'mmpose_ext ("layers.N.attn.attn.*") layout among '
            f'{sorted(state_dict)[:8]}...')
    if len(found) > 1:
        raise ValueError(
            f'the state dict holds {len(found)} ViT backbones, '
            f'{found}; say which one with prefix=')
    return found[0]


def vit_layout(state_dict: Dict[str, Tensor]) -> str:
    """``'timm'``, ``'mmpretrain'`` or ``'mmpose_ext'`` for a backbone state
    dict without prefix (see the module docstring and :func:`find_vit`)."""
    return find_vit(state_dict, prefix='')[1]


def backbone_of(state_dict: Dict[str, Tensor],
                prefix: Optional[str] = None
                ) -> Tuple[Dict[str, Tensor], str, List[str]]:
    """The ViT backbone of a checkpoint without its prefix.

    Returns:
        tuple: ``(backbone_state, layout, outside)``, ``outside`` being the
        checkpoint's keys outside the backbone (decoders, heads, ...).
    """
    prefix, layout = find_vit(state_dict, prefix)
    backbone = {k[len(prefix):]: v for k, v in state_dict.items()
                if k.startswith(prefix)}
    outside = [k for k in state_dict if not k.startswith(prefix)]
    return backbone, layout, outside
