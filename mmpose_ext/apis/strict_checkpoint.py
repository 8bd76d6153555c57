"""Loading a checkpoint that must match the model exactly.

MMEngine's ``load_checkpoint`` only warns about keys that do not match, so a
checkpoint trained with another config silently leaves random weights in the
model. The demo and the export tool load through
:func:`load_checkpoint_strict`, which refuses such a checkpoint and lists what does not match.
"""
import re
from collections import OrderedDict
from typing import List, Tuple

import torch.nn as nn
from mmengine.runner.checkpoint import _load_checkpoint

__all__ = ['CheckpointMismatchError', 'load_checkpoint_strict']

# How many keys of each kind the error message lists before summarising.
_SHOWN_KEYS = 10


def _listing(title: str, items: List[str]) -> str:
    shown = items[:_SHOWN_KEYS]
    more = len(items) - len(shown)
    lines = [f'  {title} ({len(items)}):'] + [f'    {item}' for item in shown]
    if more:
        lines.append(f'    ... and {more} more')
    return '\n'.join(lines)


class CheckpointMismatchError(ValueError):
    """The checkpoint's weights do not fit the model built from the config.

    Attributes:
        missing_keys (list[str]): model weights the checkpoint lacks.
        unexpected_keys (list[str]): checkpoint weights the model lacks.
        shape_mismatches (list[tuple[str, tuple, tuple]]): ``(key,
            checkpoint shape, model shape)`` of weights present in both.
    """

    def __init__(self, filename: str, missing_keys: List[str],
                 unexpected_keys: List[str],
                 shape_mismatches: List[Tuple[str, tuple, tuple]]):
        self.filename = filename
        self.missing_keys = missing_keys
        self.unexpected_keys = unexpected_keys
        self.shape_mismatches = shape_mismatches
        parts = [f'checkpoint {filename!r} does not match the model built '
                 'from the config:']
        if missing_keys:
            parts.append(_listing('missing in the checkpoint', missing_keys))
        if unexpected_keys:
            parts.append(
                _listing('unexpected (not in the model)', unexpected_keys))
        if shape_mismatches:
            parts.append(
                _listing('different shapes (checkpoint vs model)', [
                    f'{key}: {tuple(ckpt)} vs {tuple(model)}'
                    for key, ckpt, model in shape_mismatches
                ]))
        parts.append('Pass the config the checkpoint was trained with (or '
                     'the checkpoint made for this config).')
        super().__init__('\n'.join(parts))


def _state_dict_of(checkpoint: dict) -> 'OrderedDict[str, object]':
    state_dict = checkpoint.get('state_dict', checkpoint)
    # checkpoints saved from a DistributedDataParallel-wrapped model
    return OrderedDict(
        (re.sub(r'^module\.', '', key), value)
        for key, value in state_dict.items())


def load_checkpoint_strict(model: nn.Module,
                           filename: str,
                           map_location: str = 'cpu') -> dict:
    """Load ``filename`` into ``model`` only if every weight matches.

    The file is read with MMEngine's checkpoint loader (for local files that
    is mmpose_ext's weights-only loader with its allowlist). BatchNorm's
    ``num_batches_tracked`` counters may be missing (MMEngine ignores them
    too; they do not change inference).

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
    checkpoint = _load_checkpoint(filename, map_location=map_location)
    if not isinstance(checkpoint, dict):
        raise ValueError(
            f'checkpoint {filename!r} holds a {type(checkpoint).__name__}, '
            'not a dict of weights')
    state_dict = _state_dict_of(checkpoint)
    model_state = model.state_dict()
    shape_mismatches = [
        (key, tuple(value.shape), tuple(model_state[key].shape))
        for key, value in state_dict.items()
        if key in model_state and hasattr(value, 'shape')
        and tuple(value.shape) != tuple(model_state[key].shape)
    ]
    # Key names are compared by torch's own loader, after the modules'
    # state-dict hooks (which may rename legacy keys) have run.
    if not shape_mismatches:
        result = model.load_state_dict(state_dict, strict=False)
        missing = [
            key for key in result.missing_keys
            if not key.endswith('num_batches_tracked')
        ]
        unexpected = list(result.unexpected_keys)
        if not (missing or unexpected):
            return checkpoint
    else:
        missing = sorted(set(model_state) - set(state_dict))
        missing = [k for k in missing if not k.endswith('num_batches_tracked')]
        unexpected = sorted(set(state_dict) - set(model_state))
    raise CheckpointMismatchError(filename, missing, unexpected,
                                  shape_mismatches)
