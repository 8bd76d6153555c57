"""Published ViT and ViTPose weights in :class:`PlainViT`'s layout, and back.

The layouts (official ViTPose / MAE ``timm``, MMPose 1.x ``mmpretrain``, this
package's ``mmpose_ext``) are described and detected in
:mod:`~mmpose_ext.checkpoints.vit_layout`; this module renames tensors
between them (tensors are shared, not copied).

Position embeddings: :class:`PlainViT` keeps one embedding per patch,
``(1, H*W, C)``. The official ViTPose forward adds the class-token slot to
every patch (``x + pos_embed[:, 1:] + pos_embed[:, :1]``), so the slot is
folded into the patch part (:func:`fold_cls_slot`), which is exact; MAE's slot
is zero (fixed sin-cos table), so folding it changes nothing. Resizing a
table to another grid is a model utility
(:func:`mmpose_ext.models.utils.pos_embed.resize_pos_embed`), not done here.

The MAE encoder's final ``norm`` is not used (the official code never matched
its name and starts ``last_norm`` afresh), and ``cls_token`` has no use in a
pose backbone.
"""
import re
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import torch
from torch import Tensor

from .vit_layout import (_LAYER_KEYS, _LAYER_PREFIX, _LAYOUT_INDEX, _TOP_KEYS,
                         _UNUSED, backbone_of, vit_layout)

__all__ = [
    'convert_vit_backbone', 'vit_backbone_to_official',
    'convert_vitpose_checkpoint', 'vitpose_checkpoint_to_official',
    'fold_cls_slot', 'grid_tokens'
]


def _num_layers(state_dict, prefix):
    ids = {int(m.group(1)) for k in state_dict
           for m in [re.match(rf'{prefix}\.(\d+)\.', k)] if m}
    return max(ids) + 1 if ids else 0


def _rename(state_dict, src: str, dst: str):
    si, di = _LAYOUT_INDEX[src], _LAYOUT_INDEX[dst]
    sp, dp = _LAYER_PREFIX[src], _LAYER_PREFIX[dst]
    out, used = OrderedDict(), set()
    for names in _TOP_KEYS:
        if names[si] in state_dict:
            out[names[di]] = state_dict[names[si]]
            used.add(names[si])
    for i in range(_num_layers(state_dict, sp)):
        for names in _LAYER_KEYS:
            key = f'{sp}.{i}.{names[si]}'
            if key in state_dict:
                out[f'{dp}.{i}.{names[di]}'] = state_dict[key]
                used.add(key)
    rest = [k for k in state_dict if k not in used]
    return out, rest


def convert_vit_backbone(
        state_dict: Dict[str, Tensor],
        layout: Optional[str] = None) -> Tuple[Dict[str, Tensor], list]:
    """Rename a ViT backbone state dict (no ``backbone.`` prefix) to
    :class:`PlainViT`'s keys. Tensors are shared, not copied; ``pos_embed``
    keeps its size and class-token slot (see :func:`fold_cls_slot`).

    Returns:
        tuple: ``(state_dict, dropped)``, ``dropped`` being the keys a pose
        backbone has no use for (class token, MAE decoder, ...).

    Raises:
        ValueError: keys that belong to no known layout are left over.
    """
    layout = layout or vit_layout(state_dict)
    if layout not in _LAYOUT_INDEX:
        raise ValueError(f'convert_vit_backbone: unknown layout {layout!r}; '
                         f'choose from {sorted(_LAYOUT_INDEX)}')
    out, rest = _rename(state_dict, layout, 'mmpose_ext')
    if layout == 'mmpose_ext':
        # our own extras (knowledge tokens) pass through unchanged
        for k in [k for k in rest if k.startswith('knowledge_tokens.')]:
            out[k] = state_dict[k]
            rest.remove(k)
    dropped = [k for k in rest if _UNUSED.match(k)]
    unknown = [k for k in rest if not _UNUSED.match(k)]
    if unknown:
        raise ValueError(
            f'convert_vit_backbone: {len(unknown)} keys of the {layout!r} '
            f'layout have no counterpart in PlainViT, e.g. {unknown[:5]}; is '
            'this a plain ViT checkpoint?')
    return out, dropped


def vit_backbone_to_official(
        state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """Inverse of :func:`convert_vit_backbone` for the official ViTPose
    layout: :class:`PlainViT` keys to ``timm`` keys, with a zero class-token
    slot prepended to ``pos_embed`` (``(1, N, C) -> (1, N + 1, C)``), which
    the official forward adds to every patch, i.e. adds nothing."""
    out, rest = _rename(state_dict, 'mmpose_ext', 'timm')
    if rest:
        raise ValueError('vit_backbone_to_official: the official ViTPose '
                         f'backbone has no counterpart for {rest[:5]}')
    pos = out['pos_embed']
    out['pos_embed'] = torch.cat([pos.new_zeros(pos[:, :1].shape), pos], 1)
    return out


def convert_vitpose_checkpoint(state_dict: Dict[str, Tensor]
                               ) -> Dict[str, Tensor]:
    """Official ViTPose (mmpose 0.x ``TopDown``: ``backbone.*`` +
    ``keypoint_head.*``) or MMPose 1.x (``backbone.*`` mmpretrain layout +
    ``head.*``) state dict -> a ``TopdownPoseEstimator`` with
    :class:`PlainViT` (``backbone.*`` + ``head.*``).

    The class-token slot of ``pos_embed`` is folded into the patch part (the
    official forward adds it to every patch). The head keys are MMPose 1.x
    ``HeatmapHead``'s for both decoders (deconvolutions ``deconv_layers.{0,1,
    3,4}``, prediction ``final_layer``), only the prefix changes.
    """
    try:
        backbone, layout, _ = backbone_of(state_dict, 'backbone.')
    except ValueError as err:
        raise ValueError(f'convert_vitpose_checkpoint: {err}; is this a '
                         'ViTPose checkpoint?') from None
    converted, _ = convert_vit_backbone(backbone, layout)
    pos = converted['pos_embed']
    n = grid_tokens(backbone, layout, pos.shape[1])
    converted['pos_embed'] = fold_cls_slot(pos, n)
    out = OrderedDict(('backbone.' + k, v) for k, v in converted.items())
    for k, v in state_dict.items():
        for old in ('keypoint_head.', 'head.'):
            if k.startswith(old):
                out['head.' + k[len(old):]] = v
    rest = [k for k in state_dict if not k.startswith(
        ('backbone.', 'keypoint_head.', 'head.'))]
    if rest:
        raise ValueError('convert_vitpose_checkpoint: keys outside backbone '
                         f'and head: {rest[:5]}')
    return out


def vitpose_checkpoint_to_official(state_dict: Dict[str, Tensor]
                                   ) -> Dict[str, Tensor]:
    """Inverse of :func:`convert_vitpose_checkpoint` into the official
    ViTPose layout (``backbone.*`` timm keys, ``keypoint_head.*``)."""
    backbone = {k[len('backbone.'):]: v for k, v in state_dict.items()
                if k.startswith('backbone.')}
    out = OrderedDict(('backbone.' + k, v)
                      for k, v in vit_backbone_to_official(backbone).items())
    for k, v in state_dict.items():
        if k.startswith('head.'):
            out['keypoint_head.' + k[len('head.'):]] = v
    return out


def grid_tokens(backbone_state, layout: str, num_pos: int) -> int:
    """Patch count of a checkpoint's ``pos_embed`` with ``num_pos`` entries:
    tables of the official ViTPose / MAE layout always carry a class-token
    slot, others when the checkpoint holds a ``cls_token`` beside them."""
    has_slot = layout == 'timm' or 'cls_token' in backbone_state
    return num_pos - 1 if has_slot else num_pos


def fold_cls_slot(pos: Tensor, num_patches: int) -> Tensor:
    """A checkpoint's position table ``(1, 1 + N, C) -> (1, N, C)``, the
    class-token slot added to every patch (a table of ``N`` entries is
    returned as it is)."""
    if pos.shape[1] == num_patches:
        return pos
    return pos[:, 1:] + pos[:, :1]
