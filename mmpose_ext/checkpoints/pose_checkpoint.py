"""Loading a whole pose model's checkpoint that must fit it exactly.

MMEngine's ``load_checkpoint`` only warns about keys that do not match, so a
checkpoint trained with another config silently leaves random weights in the
model. The demo, the inference API and the export tools load through
:func:`load_checkpoint_strict`, the distillation teachers through
:func:`load_pose_checkpoint` (which also takes published ViTPose weights);
both refuse such a checkpoint and list what does not match (the check is the
package's one strict check,
:func:`~mmpose_ext.checkpoints.strict_loading.load_state_dict_strict`).
"""
import os.path as osp
from typing import Sequence

import torch.nn as nn
from mmengine.runner.checkpoint import _load_checkpoint

from .strict_loading import load_state_dict_strict, state_dict_of
from .vit_conversion import convert_vitpose_checkpoint
from .vit_layout import locate_vit
from .weights_only import safe_torch_load

__all__ = ['load_checkpoint_strict', 'load_pose_checkpoint']


def load_checkpoint_strict(model: nn.Module,
                           filename: str,
                           map_location: str = 'cpu') -> dict:
    """Load ``filename`` into ``model`` only if every weight matches.

    A local file is read weights-only with mmpose_ext's allowlist
    (:func:`~mmpose_ext.checkpoints.safe_torch_load`), a URL with MMEngine's
    checkpoint loader. BatchNorm's ``num_batches_tracked`` counters may be
    missing (MMEngine ignores them too; they do not change inference).

    Args:
        model (nn.Module): the model built from the config.
        filename (str): a local path or a URL MMEngine can read.
        map_location (str): where to put the tensors while loading.

    Returns:
        dict: the whole checkpoint (``meta`` included).

    Raises:
        CheckpointMismatchError: keys are missing or unexpected, or shapes
            differ (the model may then hold some of the weights: discard
            it).
    """
    if '://' in filename:
        checkpoint = _load_checkpoint(filename, map_location=map_location)
    else:
        checkpoint = safe_torch_load(filename, map_location=map_location)
    if not isinstance(checkpoint, dict):
        raise ValueError(
            f'checkpoint {filename!r} holds a {type(checkpoint).__name__}, '
            'not a dict of weights')
    load_state_dict_strict(model, state_dict_of(checkpoint), filename)
    return checkpoint


def load_pose_checkpoint(model: nn.Module, filename: str,
                         allow_missing: Sequence[str] = ()) -> None:
    """Load a whole pose estimator (e.g. a distillation teacher) strictly.

    Accepts MMEngine checkpoints of this package and official ViTPose /
    MMPose 1.x ViTPose checkpoints (converted with
    :func:`~mmpose_ext.checkpoints.convert_vitpose_checkpoint`).
    ``allow_missing`` lists key prefixes the checkpoint may lack (e.g. the
    knowledge tokens being trained); anything else missing, unexpected or of
    another shape raises ``CheckpointMismatchError`` (a ``ValueError``).
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
