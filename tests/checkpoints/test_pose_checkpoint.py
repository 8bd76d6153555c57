"""Strict checkpoint loading: refuses and lists what does not match."""
import pytest
import torch
import torch.nn as nn

from mmpose_ext.apis import CheckpointMismatchError, load_checkpoint_strict


def _net(width=4, depth=2):
    torch.manual_seed(0)
    layers = []
    for _ in range(depth):
        layers += [nn.Conv2d(width, width, 3), nn.BatchNorm2d(width)]
    return nn.Sequential(*layers)


def _save(tmp_path, state_dict, name='ckpt.pth', **extra):
    path = tmp_path / name
    torch.save({'state_dict': state_dict, **extra}, path)
    return str(path)


def test_matching_checkpoint_loads_weights(tmp_path):
    src = _net()
    path = _save(tmp_path, src.state_dict(), meta=dict(epoch=3))
    dst = _net()
    nn.init.zeros_(dst[0].weight)
    ckpt = load_checkpoint_strict(dst, path)
    assert ckpt['meta'] == dict(epoch=3)
    for key, value in src.state_dict().items():
        assert torch.equal(dst.state_dict()[key], value), key


def test_ddp_prefix_and_missing_bn_counters_are_accepted(tmp_path):
    src = _net()
    state = {f'module.{k}': v for k, v in src.state_dict().items()
             if not k.endswith('num_batches_tracked')}
    dst = _net()
    load_checkpoint_strict(dst, _save(tmp_path, state))
    assert torch.equal(dst[0].weight, src[0].weight)


def test_missing_and_unexpected_keys_are_listed(tmp_path):
    path = _save(tmp_path, _net(depth=3).state_dict())
    with pytest.raises(CheckpointMismatchError) as err:
        load_checkpoint_strict(_net(depth=2), path)
    assert err.value.missing_keys == []
    assert set(err.value.unexpected_keys) == {
        '4.weight', '4.bias', '5.weight', '5.bias', '5.running_mean',
        '5.running_var', '5.num_batches_tracked'}
    text = str(err.value)
    assert 'does not match the model' in text
    assert 'unexpected (not in the model) (7)' in text and '4.weight' in text

    path = _save(tmp_path, _net(depth=1).state_dict(), 'small.pth')
    with pytest.raises(CheckpointMismatchError) as err:
        load_checkpoint_strict(_net(depth=2), path)
    assert err.value.unexpected_keys == []
    assert '2.weight' in err.value.missing_keys
    assert not any(k.endswith('num_batches_tracked')
                   for k in err.value.missing_keys)
    assert 'missing in the checkpoint (6)' in str(err.value)


def test_shape_mismatch_is_listed(tmp_path):
    path = _save(tmp_path, _net(width=8).state_dict())
    with pytest.raises(CheckpointMismatchError) as err:
        load_checkpoint_strict(_net(width=4), path)
    mismatches = dict((k, (a, b)) for k, a, b in err.value.shape_mismatches)
    assert mismatches['0.weight'] == ((8, 8, 3, 3), (4, 4, 3, 3))
    assert '0.weight: (8, 8, 3, 3) vs (4, 4, 3, 3)' in str(err.value)


def test_long_lists_are_summarised(tmp_path):
    path = _save(tmp_path, _net(depth=8).state_dict())
    with pytest.raises(CheckpointMismatchError) as err:
        load_checkpoint_strict(_net(depth=1), path)
    assert len(err.value.unexpected_keys) == 7 * 7
    assert '... and 39 more' in str(err.value)


def test_not_a_state_dict(tmp_path):
    path = tmp_path / 'list.pth'
    torch.save([torch.zeros(1)], path)
    with pytest.raises(ValueError, match='holds a list, not a dict'):
        load_checkpoint_strict(_net(), str(path))
