"""Published ViT and ViTPose weights in :class:`PlainViT`'s layout.

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

Position embeddings: :class:`PlainViT` keeps one embedding per patch,
``(1, H*W, C)``. The official ViTPose forward adds the class-token slot to
every patch (``x + pos_embed[:, 1:] + pos_embed[:, :1]``), so the slot is
folded into the patch part, which is exact; MAE's slot is zero (fixed sin-cos
table), so folding it changes nothing. Grids of another size are resized
bicubically (``align_corners=False``), as the official loader does.

MAE's ViT-H uses 14x14 patches; like the official code (and Sec. 3.2 of the
paper) its kernel is zero-padded to 16x16. The MAE encoder's final ``norm`` is
not used (the official code never matched its name and starts ``last_norm``
afresh), and ``cls_token`` has no use in a pose backbone.

Whatever loads here loads strictly, through the package's one check,
:func:`mmpose_ext.engine.strict_loading.load_state_dict_strict`.
"""
import math
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmpose_ext.engine.checkpoint import safe_torch_load
from mmpose_ext.engine.strict_loading import (load_state_dict_strict,
                                              state_dict_of)

__all__ = [
    'locate_vit', 'find_vit', 'backbone_of', 'vit_layout',
    'convert_vit_backbone', 'vit_backbone_to_official',
    'convert_vitpose_checkpoint', 'vitpose_checkpoint_to_official',
    'resize_pos_embed', 'fit_pos_embed', 'fit_patch_kernel', 'state_dict_of',
    'load_vit_pretrained', 'load_pose_checkpoint'
]

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
    keeps its size (use :func:`fit_pos_embed`).

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
    n = _grid_tokens(backbone, layout, pos.shape[1])
    converted['pos_embed'] = _fold_cls_slot(pos, n)
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


def _grid_tokens(backbone_state, layout: str, num_pos: int) -> int:
    """Patch count of a checkpoint's ``pos_embed`` with ``num_pos`` entries:
    tables of the official ViTPose / MAE layout always carry a class-token
    slot, others when the checkpoint holds a ``cls_token`` beside them."""
    has_slot = layout == 'timm' or 'cls_token' in backbone_state
    return num_pos - 1 if has_slot else num_pos


def _fold_cls_slot(pos: Tensor, num_patches: int) -> Tensor:
    """``(1, 1 + N, C) -> (1, N, C)`` adding the slot to every patch."""
    if pos.shape[1] == num_patches:
        return pos
    return pos[:, 1:] + pos[:, :1]


def resize_pos_embed(pos_embed: Tensor, src_hw: Sequence[int],
                     dst_hw: Sequence[int],
                     mode: str = 'bicubic') -> Tensor:
    """Resample a patch position table ``(1, h*w, C) -> (1, h'*w', C)``
    (row-major grids) with ``F.interpolate(align_corners=False)``."""
    src_hw, dst_hw = tuple(src_hw), tuple(dst_hw)
    if src_hw == dst_hw:
        return pos_embed
    _, n, c = pos_embed.shape
    if n != src_hw[0] * src_hw[1]:
        raise ValueError(f'resize_pos_embed: {n} entries do not form a '
                         f'{src_hw[0]}x{src_hw[1]} grid')
    # (1, N, C) -> (1, C, h, w)
    grid = pos_embed.reshape(1, *src_hw, c).permute(0, 3, 1, 2)
    grid = F.interpolate(grid.float(), size=dst_hw, mode=mode,
                         align_corners=False).to(pos_embed.dtype)
    # (1, C, h', w') -> (1, h'*w', C)
    return grid.flatten(2).transpose(1, 2)


def fit_pos_embed(pos_embed: Tensor, num_patches: int, dst_hw: Sequence[int],
                  src_hw: Optional[Sequence[int]] = None) -> Tensor:
    """A checkpoint's position table ``(1, M, C)`` (``M`` = ``num_patches``
    plus an optional class-token slot) folded and resized to ``dst_hw``.

    The source grid is ``src_hw`` when given, ``dst_hw`` when the patch count
    matches, else square (ImageNet pre-training); anything else needs
    ``src_hw``.
    """
    pos = _fold_cls_slot(pos_embed, num_patches)
    n = pos.shape[1]
    if src_hw is None:
        side = math.isqrt(n)
        if n == dst_hw[0] * dst_hw[1]:
            src_hw = tuple(dst_hw)
        elif side * side == n:
            src_hw = (side, side)
        else:
            raise ValueError(
                f'fit_pos_embed: cannot tell the grid of {n} position '
                f'embeddings (not {dst_hw[0]}x{dst_hw[1]}, not square); pass '
                'src_hw=(h, w) of the checkpoint\'s input size / patch size')
    return resize_pos_embed(pos, src_hw, dst_hw)


def fit_patch_kernel(weight: Tensor, kernel: Sequence[int]) -> Tensor:
    """Zero-pad a patch-embedding kernel ``(C, 3, k, k)`` to ``kernel`` around
    its centre (MAE ViT-H's 14x14 -> 16x16, as the official ViTPose code)."""
    kh, kw = weight.shape[-2:]
    th, tw = kernel
    if (kh, kw) == (th, tw):
        return weight
    if kh > th or kw > tw:
        raise ValueError(f'fit_patch_kernel: a {kh}x{kw} patch kernel does '
                         f'not fit a {th}x{tw} patch embedding')
    top, left = (th - kh) // 2, (tw - kw) // 2
    return F.pad(weight, (left, tw - kw - left, top, th - kh - top))


def load_vit_pretrained(backbone, filename: str,
                        src_hw: Optional[Sequence[int]] = None,
                        logger=None) -> None:
    """Initialise a :class:`PlainViT` from an MAE, official ViTPose, MMPose
    1.x or mmpose_ext checkpoint (whole pose models too: the ``backbone.``
    part is used).

    Loading is weights-only (:func:`safe_torch_load`). Every backbone tensor
    must be found with the right shape, except ``last_norm`` (absent from MAE
    checkpoints, freshly initialised as in the official code) and the
    knowledge tokens.

    Raises:
        FileNotFoundError: ``filename`` does not exist.
        ValueError: the checkpoint is not a ViT of this size.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'pre-trained weights {filename!r} do not exist: download them '
            '(docs/vitpose.md lists the MAE and ViTPose files) or set '
            'model.backbone.init_cfg=None to start from random weights')
    checkpoint = state_dict_of(safe_torch_load(filename))
    state, layout, outside = backbone_of(checkpoint)
    converted, dropped = convert_vit_backbone(state, layout)
    converted['pos_embed'] = fit_pos_embed(
        converted['pos_embed'],
        _grid_tokens(state, layout, state['pos_embed'].shape[1]),
        backbone.patch_grid, src_hw)
    key = 'patch_embed.projection.weight'
    converted[key] = fit_patch_kernel(
        converted[key], backbone.patch_embed.projection.kernel_size)
    load_state_dict_strict(
        backbone,
        converted,
        filename,
        allow_missing=('last_norm.', 'knowledge_tokens.'),
        subject=f'this {type(backbone).__name__} (embed_dims='
        f'{backbone.embed_dims}, num_layers={backbone.num_layers}; the '
        f'checkpoint holds a {layout}-layout ViT)',
        hint='Check the arch against the checkpoint (e.g. a ViT-B file for '
        "arch='base').")
    if logger is not None:
        skipped = [k for k in backbone.state_dict() if k not in converted]
        logger.info(
            f'PlainViT: loaded {len(converted)} tensors from {filename} '
            f'({layout} layout); not in the checkpoint, kept initial: '
            f'{skipped}; unused: {dropped + outside}')


def load_pose_checkpoint(model, filename: str,
                         allow_missing: Sequence[str] = ()) -> None:
    """Load a whole pose estimator (e.g. a distillation teacher) strictly.

    Accepts MMEngine checkpoints of this package and official ViTPose
    checkpoints (converted with :func:`convert_vitpose_checkpoint`).
    ``allow_missing`` lists key prefixes the checkpoint may lack (e.g. the
    knowledge tokens being trained); anything else missing, unexpected or of
    another shape raises ``ValueError``.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'teacher checkpoint {filename!r} does not exist; set '
            'model.teacher_checkpoint to the trained teacher\'s weights')
    state = state_dict_of(safe_torch_load(filename))
    found = [layout for prefix, layout in locate_vit(state)
             if prefix == 'backbone.']
    if found and found[0] != 'mmpose_ext':
        # official ViTPose or MMPose 1.x (mmpretrain) ViTPose weights
        state = convert_vitpose_checkpoint(state)
    load_state_dict_strict(
        model,
        state,
        filename,
        allow_missing=allow_missing,
        subject=f'the {type(model).__name__} built from the config',
        hint='Is it the checkpoint of the model this config describes?')
