"""Loading a checkpoint that must match the model exactly.

MMEngine's ``load_checkpoint`` only warns about keys that do not match, so a
checkpoint trained with another config silently leaves random weights in the
model. The demo and the export tool load through
:func:`load_checkpoint_strict`, which refuses such a checkpoint and lists what
does not match (the check is the package's one strict check,
:func:`mmpose_ext.engine.strict_loading.load_state_dict_strict`).
"""
import torch.nn as nn
from mmengine.runner.checkpoint import _load_checkpoint

from mmpose_ext.engine.strict_loading import (CheckpointMismatchError,
                                              load_state_dict_strict,
                                              state_dict_of)

__all__ = ['CheckpointMismatchError', 'load_checkpoint_strict']


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
    load_state_dict_strict(model, state_dict_of(checkpoint), filename)
    return checkpoint
