"""Stop training at the first NaN or infinite loss, naming the loss term."""
import math
from typing import Dict, List, Optional

import torch
from mmdet.engine.hooks import CheckInvalidLossHook
from mmpose.registry import HOOKS

__all__ = ['CheckInvalidLossTermHook', 'invalid_loss_terms']


def invalid_loss_terms(log_vars: Dict) -> List[str]:
    """Names (with values) of the non-finite loss terms in ``log_vars``.

    The individual terms come first; the total ``loss`` is listed only when
    no single term explains it (e.g. two huge finite terms overflowing).

    Args:
        log_vars (dict): What ``model.train_step`` returns: term name ->
            tensor or number. Keys without ``'loss'`` (``acc_pose``) are not
            checked: like MMEngine's ``parse_losses``, only they are summed
            into the loss.

    Returns:
        list[str]: e.g. ``['loss_reg_dec2=nan']``; empty when all are finite.
    """
    bad = []
    for name, value in log_vars.items():
        if 'loss' not in name or name == 'loss':
            continue
        value = float(value.detach().float().mean()) if isinstance(
            value, torch.Tensor) else float(value)
        if not math.isfinite(value):
            bad.append(f'{name}={value}')
    if not bad and 'loss' in log_vars:
        total = log_vars['loss']
        total = float(total.detach().float().mean()) if isinstance(
            total, torch.Tensor) else float(total)
        if not math.isfinite(total):
            bad.append(f'loss={total}')
    return bad


@HOOKS.register_module()
class CheckInvalidLossTermHook(CheckInvalidLossHook):
    """MMDetection's ``CheckInvalidLossHook`` made general: it checks every
    loss term, not only the total, raises an error that names the term(s),
    and by default checks every iteration.

    It runs right after the optimizer step of the iteration (priority
    ``VERY_HIGH``, before ``CheckpointHook`` at ``VERY_LOW``), so training
    stops before a checkpoint holding the NaN weights of that step is
    written. Checkpoints of earlier iterations stay as they were.

    In distributed training each rank checks its own losses; a rank that
    raises ends its process and the launcher stops the others.

    Args:
        interval (int): Check every ``interval`` iterations. Defaults to 1:
            a later check could let a NaN checkpoint through.
    """

    priority = 'VERY_HIGH'

    def __init__(self, interval: int = 1) -> None:
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'{self.__class__.__name__}: interval must be a '
                             f'positive integer, got {interval!r}')
        super().__init__(interval=interval)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Raise ``FloatingPointError`` naming every non-finite loss term.

        Args:
            runner (Runner): The runner.
            batch_idx (int): Index of the batch in the epoch.
            data_batch (dict, optional): The batch.
            outputs (dict, optional): ``model.train_step``'s log variables.
        """
        if not outputs or not self.every_n_train_iters(runner, self.interval):
            return
        bad = invalid_loss_terms(outputs)
        if bad:
            raise FloatingPointError(
                f'Training stopped at iteration {runner.iter + 1} (epoch '
                f'{runner.epoch + 1}): non-finite loss {", ".join(bad)}. '
                'No checkpoint of this iteration was written. Common causes: '
                'a learning rate too high for this batch size (lower '
                'optim_wrapper.optimizer.lr or add warm-up), exploding '
                'gradients (set optim_wrapper.clip_grad=dict(max_norm=...)), '
                'fp16 overflow, or broken annotations in the batch.')
