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
    """A backbone and a head; like MMPose's estimators, it renames MMPose
    0.x's ``keypoint_head.*`` keys when loading (a load pre-hook)."""

    def __init__(self, out_channels=17):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.head = nn.Conv2d(4, out_channels, 1)
        self._register_load_state_dict_pre_hook(self._rename_legacy_head)

    @staticmethod
    def _rename_legacy_head(state_dict, prefix, *args):
        for key in [k for k in state_dict
                    if k.startswith(prefix + 'keypoint_head.')]:
            new = prefix + 'head.' + key[len(prefix + 'keypoint_head.'):]
            state_dict[new] = state_dict.pop(key)


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


def test_keys_the_models_load_hooks_rename_fit():
    """The check sees the state dict as the model's load pre-hooks leave it:
    a TFPose head saved when its query decoder was ``keypoint_decoder``
    fits; its weights do load."""
    from tests.helpers.tfpose_head import tiny_tfpose_head

    model = nn.Module()
    model.head = tiny_tfpose_head()
    checkpoint = _checkpoint(model)
    legacy = {k.replace('head.query_decoder.', 'head.keypoint_decoder.'): v
              for k, v in checkpoint['state_dict'].items()}
    assert legacy.keys() != checkpoint['state_dict'].keys()
    checkpoint['state_dict'] = legacy
    CheckpointFitHook().after_load_checkpoint(_runner(model), checkpoint)
    model.load_state_dict(legacy, strict=True)
    # a key that fits nothing after renaming is still refused, by the name
    # the model gives it
    legacy['head.keypoint_decoder.unknown'] = torch.zeros(1)
    with pytest.raises(CheckpointMismatchError,
                       match=r'unexpected.*\n    head\.query_decoder\.unknown'):
        CheckpointFitHook().after_load_checkpoint(_runner(model), checkpoint)
