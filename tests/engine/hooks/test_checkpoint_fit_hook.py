"""CheckpointFitHook: a checkpoint that does not fit the model stops the
run before its weights are loaded; the documented exceptions and the
partial-loading opt-out."""
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mmpose_ext.checkpoints import CheckpointMismatchError
from mmpose_ext.engine.hooks import CheckpointFitHook


class _Net(nn.Module):

    def __init__(self, out_channels=17):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.head = nn.Conv2d(4, out_channels, 1)


class _Logger:

    def __init__(self):
        self.warnings = []

    def warning(self, message):
        self.warnings.append(message)


def _runner(model):
    return SimpleNamespace(model=model, cfg=SimpleNamespace(filename='a.py'),
                           logger=_Logger(), _load_from='b.pth')


def _checkpoint(model):
    return {'state_dict': {k: v.clone() for k, v in
                           model.state_dict().items()}, 'meta': {}}


def test_fitting_checkpoint_passes():
    model = _Net()
    checkpoint = _checkpoint(_Net())
    # documented exceptions: BN's counter missing, the preprocessor's keys,
    # MMEngine's DDP prefix, MMPose 0.x's keypoint_head name
    del checkpoint['state_dict']['backbone.1.num_batches_tracked']
    checkpoint['state_dict']['data_preprocessor.mean'] = torch.zeros(3)
    state = checkpoint['state_dict']
    state['keypoint_head.weight'] = state.pop('head.weight')
    checkpoint['state_dict'] = {'module.' + k: v for k, v in state.items()}
    CheckpointFitHook().after_load_checkpoint(_runner(model), checkpoint)


@pytest.mark.parametrize('change,expected', [
    ('shape', 'head.weight: (16, 4, 1, 1) vs (17, 4, 1, 1)'),
    ('missing', 'missing in the checkpoint (1):\n    backbone.1.weight'),
    ('unexpected', 'unexpected (not in the model) (1):\n    neck.weight'),
])
def test_mismatch_is_refused_naming_it(change, expected):
    model = _Net()
    checkpoint = _checkpoint(_Net(16) if change == 'shape' else _Net())
    if change == 'missing':
        del checkpoint['state_dict']['backbone.1.weight']
    if change == 'unexpected':
        checkpoint['state_dict']['neck.weight'] = torch.zeros(1)
    runner = _runner(model)
    with pytest.raises(CheckpointMismatchError) as err:
        CheckpointFitHook().after_load_checkpoint(runner, checkpoint)
    message = str(err.value)
    assert expected in message
    assert "checkpoint 'b.pth' does not match the _Net built from a.py" \
        in message
    assert 'trained with another config' in message
    assert 'allow_partial_checkpoint=True' in message


def test_partial_loading_warns_instead():
    runner = _runner(_Net())
    hook = CheckpointFitHook(allow_partial=True)
    hook.after_load_checkpoint(runner, _checkpoint(_Net(16)))
    (warning, ) = runner.logger.warnings
    assert 'head.bias: (16,) vs (17,)' in warning


def test_ignore_keys_and_argument_checks():
    checkpoint = _checkpoint(_Net())
    checkpoint['state_dict']['teacher.weight'] = torch.zeros(1)
    CheckpointFitHook(ignore_keys=['teacher.']).after_load_checkpoint(
        _runner(_Net()), checkpoint)
    with pytest.raises(TypeError, match='allow_partial must be True or'):
        CheckpointFitHook(allow_partial='yes')
    with pytest.raises(TypeError, match='list of key prefixes'):
        CheckpointFitHook(ignore_keys='teacher.')
