"""Refuse a ``load_from`` / ``--resume`` / ``mim test --checkpoint``
checkpoint whose weights do not fit the model built from the config."""
import re
from typing import Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpose.registry import HOOKS
from mmpose_ext.checkpoints import (CheckpointMismatchError,
                                    apply_load_state_dict_pre_hooks,
                                    state_dict_mismatches)

__all__ = ['CheckpointFitHook', 'ALWAYS_IGNORED']

# Keys a checkpoint may lack or hold beyond the model without changing what
# the model computes: the data preprocessor's mean/std (rebuilt from the
# config). BatchNorm's num_batches_tracked is never required either.
ALWAYS_IGNORED = ('data_preprocessor.', )
# MMEngine's Runner.load_checkpoint strips this prefix (revise_keys).
_WRAPPER_PREFIX = re.compile(r'^module\.')


@HOOKS.register_module()
class CheckpointFitHook(Hook):
    """Stop before a checkpoint that does not fit the model is loaded.

    MMEngine's ``Runner.load_checkpoint`` (used for ``load_from``,
    ``--resume`` and by ``tools/test.py --checkpoint``) loads with
    ``strict=False``: a checkpoint trained with another config leaves random
    weights behind a warning, and the run goes on. This hook's
    ``after_load_checkpoint`` runs after the file is read and before its
    weights enter the model; it compares keys and shapes and raises
    :class:`~mmpose_ext.checkpoints.CheckpointMismatchError` naming the first
    mismatches.

    mmpose_ext's train and test tools add it; with MMPose's own tools add
    ``custom_hooks = [dict(type='CheckpointFitHook')]``.

    Args:
        allow_partial (bool): Load what fits and only warn about the rest
            (MMEngine's behaviour), e.g. to fine-tune from a checkpoint with
            another head. The tools set it from the config's top-level
            ``allow_partial_checkpoint`` (``--cfg-options
            allow_partial_checkpoint=True``).
        ignore_keys (Sequence[str]): Further key prefixes the checkpoint may
            lack or hold beyond the model (``data_preprocessor.`` and
            BatchNorm's ``num_batches_tracked`` always may).
    """

    priority = 'VERY_HIGH'

    def __init__(self, allow_partial: bool = False,
                 ignore_keys: Sequence[str] = ()):
        if not isinstance(allow_partial, bool):
            raise TypeError(f'CheckpointFitHook: allow_partial must be True '
                            f'or False, got {allow_partial!r}')
        if isinstance(ignore_keys, str):
            raise TypeError('CheckpointFitHook: ignore_keys must be a list of '
                            f'key prefixes, got the string {ignore_keys!r}')
        self.allow_partial = allow_partial
        self.ignore_keys = ALWAYS_IGNORED + tuple(ignore_keys)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        own = model.state_dict()
        weights = checkpoint.get('state_dict', checkpoint)
        metadata = getattr(weights, '_metadata', None)
        weights = {_WRAPPER_PREFIX.sub('', k): v for k, v in weights.items()}
        # legacy names the model's own load hooks rename (MMPose 0.x's
        # keypoint_head, TFPose's keypoint_decoder) fit
        weights = apply_load_state_dict_pre_hooks(model, weights, metadata)
        missing, unexpected, shapes = state_dict_mismatches(
            own, weights, self.ignore_keys, self.ignore_keys)
        if not (missing or unexpected or shapes):
            return
        # the Runner keeps the path it loads from only privately
        filename = getattr(runner, '_load_from', None) or 'the checkpoint'
        config = getattr(runner.cfg, 'filename', None) or 'the config'
        error = CheckpointMismatchError(
            str(filename), missing, unexpected, shapes,
            subject=f'the {type(model).__name__} built from {config}',
            hint='It was probably trained with another config (another '
            'backbone width, head or keypoint count): test or resume it with '
            'the config it was trained with. To load only the weights that '
            'fit (e.g. fine-tuning from a checkpoint with another head), set '
            'allow_partial_checkpoint=True in the config or pass '
            '--cfg-options allow_partial_checkpoint=True (with MMPose\'s own '
            "tools: dict(type='CheckpointFitHook', allow_partial=True)).")
        if not self.allow_partial:
            raise error
        runner.logger.warning(
            'allow_partial_checkpoint=True: loading only the weights that '
            f'fit. {error}')
