"""Published ViT and ViTPose weights in :class:`PlainViT`'s layout.

Three layouts of the same tensors are recognised by their key names:

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
"""
import math
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmpose_ext.engine.checkpoint import safe_torch_load

__all__ = [
    'vit_layout', 'convert_vit_backbone', 'vit_backbone_to_official',
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


def vit_layout(state_dict: Dict[str, Tensor]) -> str:
    """``'timm'``, ``'mmpretrain'`` or ``'mmpose_ext'`` for a backbone state
    dict without prefix (see the module docstring)."""
    keys = set(state_dict)
    if any(k.startswith('blocks.') for k in keys):
        return 'timm'
    if any(k.endswith('attn.attn.in_proj_weight') for k in keys):
        return 'mmpose_ext'
    if any(k.endswith('attn.qkv.weight') for k in keys):
        return 'mmpretrain'
    raise ValueError(
        'not a ViT state dict: no "blocks.N.*" (official ViTPose / MAE), '
        '"layers.N.attn.qkv.*" (mmpretrain) or "layers.N.attn.attn.*" '
        f'(mmpose_ext) keys among {sorted(keys)[:8]}...')


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
    backbone = {k[len('backbone.'):]: v for k, v in state_dict.items()
                if k.startswith('backbone.')}
    if not backbone:
        raise ValueError('convert_vitpose_checkpoint: no "backbone." keys; '
                         'is this a ViTPose checkpoint?')
    converted, _ = convert_vit_backbone(backbone)
    pos = converted['pos_embed']
    n = _grid_tokens(backbone, pos.shape[1])
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


def _grid_tokens(backbone_state, num_pos: int) -> int:
    """Patch count of a checkpoint's ``pos_embed`` with ``num_pos`` entries:
    the official ViTPose and MAE tables carry a class-token slot, which the
    presence of ``cls_token`` or ``blocks.*`` keys tells."""
    has_slot = 'cls_token' in backbone_state or any(
        k.startswith('blocks.') for k in backbone_state)
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


def state_dict_of(checkpoint) -> Dict[str, Tensor]:
    """The weights of a loaded checkpoint: MMEngine's ``state_dict``, MAE's
    ``model``, or the dict itself; a DDP ``module.`` prefix is removed."""
    if not isinstance(checkpoint, dict):
        raise TypeError(f'a checkpoint must hold a dict, got '
                        f'{type(checkpoint).__name__}')
    for key in ('state_dict', 'model', 'module'):
        if isinstance(checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
            break
    if checkpoint and all(k.startswith('module.') for k in checkpoint):
        checkpoint = {k[len('module.'):]: v for k, v in checkpoint.items()}
    return checkpoint


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
    state = state_dict_of(safe_torch_load(filename))
    if any(k.startswith('backbone.') for k in state):
        state = {k[len('backbone.'):]: v for k, v in state.items()
                 if k.startswith('backbone.')}
    layout = vit_layout(state)
    converted, dropped = convert_vit_backbone(state, layout)
    if 'pos_embed' in converted:
        converted['pos_embed'] = fit_pos_embed(
            converted['pos_embed'], _grid_tokens(state,
                                                 state['pos_embed'].shape[1]),
            backbone.patch_grid, src_hw)
    key = 'patch_embed.projection.weight'
    if key in converted:
        converted[key] = fit_patch_kernel(
            converted[key], backbone.patch_embed.projection.kernel_size)

    own = backbone.state_dict()
    optional = ('last_norm.', 'knowledge_tokens.')
    missing = [k for k in own if k not in converted
               and not k.startswith(optional)]
    unexpected = [k for k in converted if k not in own]
    wrong = [f'{k}: checkpoint {tuple(converted[k].shape)} vs model '
             f'{tuple(own[k].shape)}' for k in converted
             if k in own and converted[k].shape != own[k].shape]
    if missing or unexpected or wrong:
        raise ValueError(
            f'{filename} ({layout} layout) does not fit this '
            f'{type(backbone).__name__} (embed_dims={backbone.embed_dims}, '
            f'num_layers={backbone.num_layers}): missing {missing[:4]}, '
            f'unexpected {unexpected[:4]}, shape mismatch {wrong[:3]}. Check '
            'the arch against the checkpoint (e.g. a ViT-B file for '
            "arch='base').")
    backbone.load_state_dict(converted, strict=False)
    if logger is not None:
        skipped = [k for k in own if k not in converted]
        logger.info(
            f'PlainViT: loaded {len(converted)} tensors from {filename} '
            f'({layout} layout); not in the checkpoint, kept initial: '
            f'{skipped}; unused: {dropped}')


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
    if any(k.startswith(('keypoint_head.', 'backbone.blocks.'))
           or (k.startswith('backbone.') and k.endswith('attn.qkv.weight'))
           for k in state):
        # official ViTPose or MMPose 1.x (mmpretrain) ViTPose weights
        state = convert_vitpose_checkpoint(state)
    own = model.state_dict()
    allow = tuple(allow_missing)
    # BN's batch counter is only used with momentum=None; MMEngine's loader
    # does not require it either
    missing = [k for k in own if k not in state and not (
        allow and k.startswith(allow)) and not k.endswith(
            'num_batches_tracked')]
    unexpected = [k for k in state if k not in own]
    wrong = [f'{k}: checkpoint {tuple(state[k].shape)} vs model '
             f'{tuple(own[k].shape)}' for k in state
             if k in own and state[k].shape != own[k].shape]
    if missing or unexpected or wrong:
        raise ValueError(
            f'{filename} does not fit the {type(model).__name__} built from '
            f'the config: missing {missing[:4]}, unexpected {unexpected[:4]}, '
            f'shape mismatch {wrong[:3]}. Is it the checkpoint of the model '
            'this config describes?')
    model.load_state_dict(state, strict=False)
