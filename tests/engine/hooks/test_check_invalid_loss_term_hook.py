"""CheckInvalidLossTermHook stops training at a NaN/inf loss term, names it,
and no checkpoint of that iteration is written."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn

from mmpose_ext.checkpoints import safe_torch_load
from mmpose_ext.engine.hooks import CheckInvalidLossTermHook, invalid_loss_terms

BAD_ITER = 3


class _ToyModel(BaseModel):
    """Two loss terms; ``loss_reg_dec2`` turns ``bad`` at iteration 3."""

    def __init__(self, bad):
        super().__init__()
        self.linear = nn.Linear(2, 1)
        self.bad = bad
        self.calls = 0

    def forward(self, inputs, data_samples=None, mode='tensor'):
        self.calls += 1
        out = self.linear(inputs)
        dec2 = out.abs().mean()
        if self.calls == BAD_ITER:
            dec2 = dec2 * self.bad
        return dict(loss_reg_dec1=out.pow(2).mean(), loss_reg_dec2=dec2,
                    acc_pose=torch.tensor(float('nan')))


def _runner(work_dir, bad):
    data = [dict(inputs=torch.ones(2)) for _ in range(8)]
    return Runner(
        model=_ToyModel(bad),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=data, sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=1, collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=6),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1,
                            by_epoch=False)),
        custom_hooks=[dict(type='CheckInvalidLossTermHook')],
        default_scope='mmpose')


@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
def test_stops_naming_the_term_before_the_checkpoint(tmp_path, bad):
    runner = _runner(tmp_path, bad)
    with pytest.raises(FloatingPointError,
                       match=rf'iteration {BAD_ITER} .*loss_reg_dec2={bad}'):
        runner.train()
    saved = sorted(osp.basename(p) for p in glob.glob(str(tmp_path / '*.pth')))
    assert saved == [f'iter_{i}.pth' for i in range(1, BAD_ITER)]
    for path in glob.glob(str(tmp_path / '*.pth')):
        state = safe_torch_load(path)['state_dict']
        assert all(torch.isfinite(v).all() for v in state.values())


def test_terms_are_named_and_only_losses_are_checked():
    nan = torch.tensor(float('nan'))
    assert invalid_loss_terms(dict(loss=nan, loss_aux=nan,
                                   loss_reg_dec1=torch.tensor(1.))) == \
        ['loss_aux=nan']
    # a total that overflows from finite terms is still caught
    assert invalid_loss_terms(dict(loss=torch.tensor(float('inf')),
                                   loss_a=torch.tensor(3e38))) == ['loss=inf']
    assert invalid_loss_terms(dict(loss=torch.tensor(1.), acc_pose=nan)) == []


def test_bad_interval_is_refused():
    with pytest.raises(ValueError, match='CheckInvalidLossTermHook: interval'):
        CheckInvalidLossTermHook(interval=0)
