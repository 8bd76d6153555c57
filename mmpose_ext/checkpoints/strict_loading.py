"""The one strict state-dict check of the package.

MMEngine's ``load_checkpoint`` only warns about keys that do not match, so a
checkpoint trained with another config silently leaves random weights in a
model. Every loader that must not do that (the demo and export tools through
:func:`~mmpose_ext.checkpoints.load_checkpoint_strict`, the ViT pre-training
loader, the distillation teachers, and ``load_from`` / ``mim test`` through
the ``CheckpointFitHook``) compares with :func:`state_dict_mismatches` and
raises :class:`CheckpointMismatchError` listing what does not fit;
:func:`load_state_dict_strict` loads only a state dict that fits.
"""
from collections import OrderedDict
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch.nn as nn

__all__ = ['CheckpointMismatchError', 'apply_load_state_dict_pre_hooks',
           'load_state_dict_strict', 'state_dict_mismatches', 'state_dict_of']

# How many keys of each kind the error message lists before summarising.
_SHOWN_KEYS = 10
# BN's batch counter is only used with momentum=None; MMEngine's loader does
# not require it either.
_NEVER_REQUIRED = ('num_batches_tracked', )


def _listing(title: str, items: List[str]) -> str:
    shown = items[:_SHOWN_KEYS]
    more = len(items) - len(shown)
    lines = [f'  {title} ({len(items)}):'] + [f'    {item}' for item in shown]
    if more:
        lines.append(f'    ... and {more} more')
    return '\n'.join(lines)


class CheckpointMismatchError(ValueError):
    """A checkpoint's weights do not fit the model they are loaded into.

    Attributes:
        filename (str): The checkpoint.
        missing_keys (list[str]): model weights the checkpoint lacks.
        unexpected_keys (list[str]): checkpoint weights the model lacks.
        shape_mismatches (list[tuple[str, tuple, tuple]]): ``(key,
            checkpoint shape, model shape)`` of weights present in both.
    """

    def __init__(self,
                 filename: str,
                 missing_keys: List[str],
                 unexpected_keys: List[str],
                 shape_mismatches: List[Tuple[str, tuple, tuple]],
                 subject: str = 'the model built from the config',
                 hint: str = 'Pass the config the checkpoint was trained '
                 'with (or the checkpoint made for this config).'):
        self.filename = filename
        self.missing_keys = missing_keys
        self.unexpected_keys = unexpected_keys
        self.shape_mismatches = shape_mismatches
        parts = [f'checkpoint {filename!r} does not match {subject}:']
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
        parts.append(hint)
        super().__init__('\n'.join(parts))


def state_dict_of(checkpoint) -> Dict[str, object]:
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


def apply_load_state_dict_pre_hooks(
        model: nn.Module,
        state_dict: Mapping[str, object],
        metadata: Optional[Mapping[str, dict]] = None) -> Dict[str, object]:
    """``state_dict`` as ``model.load_state_dict`` would see it after the
    modules' load-state-dict pre-hooks, without loading anything.

    Such hooks rename legacy keys (MMPose's estimators: ``keypoint_head.*``
    of MMPose 0.x checkpoints; ``TFPoseHead``: ``keypoint_decoder.*``) and
    drop keys the model rebuilds (the data preprocessor's mean and std), so a
    fit check that skips them would refuse checkpoints that load. Each hook
    gets its module's key prefix and metadata (``metadata``: the state
    dict's ``_metadata``, as torch passes it), modules in
    ``model.named_modules()`` order, parents first, as torch calls them.

    Returns:
        dict: A new dict (the tensors are shared).
    """
    renamed = OrderedDict(state_dict)
    if metadata is None:
        metadata = getattr(state_dict, '_metadata', None) or {}
    for name, module in model.named_modules():
        prefix = f'{name}.' if name else ''
        for hook in module._load_state_dict_pre_hooks.values():
            hook(renamed, prefix, dict(metadata.get(name, {})), True, [], [],
                 [])
    return renamed


def state_dict_mismatches(
    own: Mapping[str, object],
    state_dict: Mapping[str, object],
    allow_missing: Sequence[str] = (),
    allow_unexpected: Sequence[str] = ()
) -> Tuple[List[str], List[str], List[Tuple[str, tuple, tuple]]]:
    """What keeps ``state_dict`` from fitting a model whose state dict is
    ``own``, without loading anything.

    Args:
        own (Mapping[str, Tensor]): The model's ``state_dict()``.
        state_dict (Mapping[str, Tensor]): The checkpoint's weights.
        allow_missing (Sequence[str]): Key prefixes the checkpoint may lack;
            BatchNorm's ``num_batches_tracked`` may always be missing.
        allow_unexpected (Sequence[str]): Key prefixes the checkpoint may
            hold beyond the model's.

    Returns:
        tuple: ``(missing_keys, unexpected_keys, shape_mismatches)``, the last
        as ``(key, checkpoint shape, model shape)``, each in key order.
    """
    missing_ok = tuple(allow_missing)
    unexpected_ok = tuple(allow_unexpected)
    missing = [
        key for key in own if key not in state_dict
        and not key.endswith(_NEVER_REQUIRED)
        and not (missing_ok and key.startswith(missing_ok))
    ]
    unexpected = [
        key for key in state_dict if key not in own
        and not (unexpected_ok and key.startswith(unexpected_ok))
    ]
    shape_mismatches = [
        (key, tuple(value.shape), tuple(own[key].shape))
        for key, value in state_dict.items()
        if key in own and hasattr(value, 'shape') and hasattr(own[key], 'shape')
        and tuple(value.shape) != tuple(own[key].shape)
    ]
    return missing, unexpected, shape_mismatches


def load_state_dict_strict(module: nn.Module,
                           state_dict: Mapping[str, object],
                           filename: str,
                           allow_missing: Sequence[str] = (),
                           subject: Optional[str] = None,
                           hint: Optional[str] = None) -> None:
    """Load ``state_dict`` into ``module`` only if every weight fits.

    Shapes are compared first (nothing is loaded if one differs); key names
    are then compared by torch's own loader, after the modules' state-dict
    hooks (which may rename legacy keys) have run.

    Args:
        module (nn.Module): The model (or part of it) to load into.
        state_dict (Mapping[str, Tensor]): Weights with ``module``'s keys.
        filename (str): Where they come from, for the message.
        allow_missing (Sequence[str]): Key prefixes the state dict may lack
            (e.g. knowledge tokens being trained); BatchNorm's
            ``num_batches_tracked`` counters may always be missing.
        subject (str, optional): What is loaded into, for the message.
        hint (str, optional): How to fix a mismatch, for the message.

    Raises:
        CheckpointMismatchError: keys are missing or unexpected, or shapes
            differ. After a key mismatch the module may hold some of the
            weights: discard it.
    """
    own = module.state_dict()
    allow = tuple(allow_missing)

    def required(key):
        return not key.endswith(_NEVER_REQUIRED) and not (
            allow and key.startswith(allow))

    missing, unexpected, shape_mismatches = state_dict_mismatches(
        own, state_dict, allow)
    if not shape_mismatches:
        # torch's loader names the keys after the modules' state-dict hooks
        # (which may rename legacy keys) have run
        result = module.load_state_dict(dict(state_dict), strict=False)
        missing = [k for k in result.missing_keys if required(k)]
        unexpected = list(result.unexpected_keys)
    if missing or unexpected or shape_mismatches:
        kwargs = {}
        if subject is not None:
            kwargs['subject'] = subject
        if hint is not None:
            kwargs['hint'] = hint
        raise CheckpointMismatchError(filename, missing, unexpected,
                                      shape_mismatches, **kwargs)
