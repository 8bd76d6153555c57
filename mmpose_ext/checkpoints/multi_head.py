"""Single-dataset <-> multi-head checkpoints.

A single-dataset top-down checkpoint (``backbone.*``, ``neck.*``,
``head.*``; MMEngine's, or official ViTPose / MMPose 1.x ViTPose weights,
converted by :func:`~.vit_conversion.convert_vitpose_checkpoint`) initialises
a :class:`~mmpose_ext.models.pose_estimators.MultiHeadTopdownPoseEstimator`:
its backbone and neck, and the head of one dataset (``head.*`` ->
``heads.<name>.*``). The other way, one head of a multi-head checkpoint is
written out as a plain ``TopdownPoseEstimator`` checkpoint (``heads.<name>.*``
-> ``head.*``, the other heads dropped, ``meta.dataset_meta`` of that dataset)
that MMPose's ``init_model`` loads. Loading is weights-only throughout.
"""
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional

import torch
from torch import Tensor

from .strict_loading import state_dict_mismatches, state_dict_of
from .vit_conversion import convert_vitpose_checkpoint
from .weights_only import safe_torch_load

__all__ = [
    'head_names_of', 'single_to_multi_head', 'multi_head_to_single',
    'load_single_dataset_checkpoint', 'export_single_head_checkpoint'
]

_SHARED = ('backbone.', 'neck.')


def _is_published_vitpose(state: Dict[str, Tensor]) -> bool:
    """Official ViTPose (``keypoint_head.*``, ``backbone.blocks.*``) or MMPose
    1.x ViTPose (mmpretrain backbone) keys, which need converting."""
    return any(
        k.startswith(('keypoint_head.', 'backbone.blocks.')) or (
            k.startswith('backbone.') and k.endswith('attn.qkv.weight'))
        for k in state)


def head_names_of(state: Dict[str, Tensor]) -> list:
    """Dataset names of the heads in a multi-head state dict (key order)."""
    names = []
    for key in state:
        if key.startswith('heads.'):
            name = key.split('.')[1]
            if name not in names:
                names.append(name)
    return names


def single_to_multi_head(state: Dict[str, Tensor], head: str
                         ) -> 'OrderedDict[str, Tensor]':
    """``backbone.*``/``neck.*`` kept, ``head.*`` -> ``heads.<head>.*``.

    Raises:
        ValueError: the state dict has no ``head.*`` or has keys of another
            kind (e.g. it is already a multi-head checkpoint).
    """
    if _is_published_vitpose(state):
        state = convert_vitpose_checkpoint(state)
    out = OrderedDict()
    other = []
    for key, value in state.items():
        if key.startswith(_SHARED):
            out[key] = value
        elif key.startswith('head.'):
            out[f'heads.{head}.' + key[len('head.'):]] = value
        elif not key.startswith('data_preprocessor.'):
            other.append(key)
    if other:
        raise ValueError(
            'not a single-dataset top-down checkpoint: keys outside '
            f'backbone/neck/head: {other[:5]}' + (
                f' (a multi-head checkpoint with heads '
                f'{head_names_of(state)}?)' if head_names_of(state) else ''))
    if not any(k.startswith(f'heads.{head}.') for k in out):
        raise ValueError('not a single-dataset top-down checkpoint: no '
                         '"head." keys')
    return out


def multi_head_to_single(state: Dict[str, Tensor], head: str
                         ) -> 'OrderedDict[str, Tensor]':
    """``backbone.*``/``neck.*`` kept, ``heads.<head>.*`` -> ``head.*``, the
    other heads dropped.

    Raises:
        KeyError: there is no head ``head`` (the message lists the heads).
    """
    names = head_names_of(state)
    if head not in names:
        raise KeyError(f'no head {head!r} in the checkpoint; its heads: '
                       f'{", ".join(map(repr, names)) or "none"}')
    prefix = f'heads.{head}.'
    out = OrderedDict()
    for key, value in state.items():
        if key.startswith(_SHARED):
            out[key] = value
        elif key.startswith(prefix):
            out['head.' + key[len(prefix):]] = value
    return out


def load_single_dataset_checkpoint(model, filename: str, head: str) -> None:
    """Initialise ``model`` (a multi-head estimator) from the single-dataset
    checkpoint ``filename``: backbone, neck and head ``head``; the other
    heads are left as they are.

    Raises:
        FileNotFoundError: no such file.
        KeyError: the model has no head ``head``.
        ValueError: a backbone/neck/head tensor is missing, unexpected or of
            another shape (listed).
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'single-dataset checkpoint {filename!r} (model.init_from.'
            'checkpoint) does not exist')
    model.check_head_name(head, 'init_from.head')
    state = single_to_multi_head(state_dict_of(safe_torch_load(filename)),
                                 head)
    # the part of the model the checkpoint initialises; other heads stay
    own = {k: v for k, v in model.state_dict().items()
           if k.startswith((*_SHARED, f'heads.{head}.'))}
    missing, unexpected, shapes = state_dict_mismatches(own, state)
    wrong = [f'{k}: checkpoint {ckpt} vs model {mine}'
             for k, ckpt, mine in shapes]
    if missing or unexpected or wrong:
        raise ValueError(
            f'{filename} does not fit the backbone and head {head!r} of '
            f'the {type(model).__name__} built from the config: missing '
            f'{missing[:4]}, unexpected {unexpected[:4]}, shape mismatch '
            f'{wrong[:3]}. Is it a checkpoint of this backbone, with a head '
            f'of dataset {head!r}\'s keypoints?')
    model.load_state_dict(state, strict=False)


def export_single_head_checkpoint(src: str, head: str, dst: str,
                                  dataset_meta: Optional[dict] = None
                                  ) -> dict:
    """Write head ``head`` of the multi-head checkpoint ``src`` as a plain
    single-dataset checkpoint ``dst`` (``{'state_dict', 'meta'}``;
    ``meta.dataset_meta`` is ``dataset_meta`` when given, so that MMPose's
    ``init_model`` takes that dataset's keypoint definition). Returns the
    written dict."""
    checkpoint = safe_torch_load(src)
    state = multi_head_to_single(state_dict_of(checkpoint), head)
    meta = dict(checkpoint.get('meta', {}) or {}) if isinstance(
        checkpoint, dict) else {}
    meta = {k: v for k, v in meta.items()
            if k in ('mmengine_version', 'mmpose_version', 'seed',
                     'experiment_name', 'time', 'epoch', 'iter')}
    meta['exported_head'] = head
    meta['exported_from'] = osp.basename(src)
    if dataset_meta is not None:
        meta['dataset_meta'] = dataset_meta
    out = {'state_dict': state, 'meta': meta}
    torch.save(out, dst)
    return out
