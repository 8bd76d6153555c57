"""Weights-only checkpoint loading: real MMEngine checkpoints load, code is refused."""
import os
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader, load_checkpoint

import mmpose_ext  # noqa: F401
from mmpose_ext.checkpoints import CheckpointRefusedError, safe_torch_load


class _RunsShell:
    """Pickles as a call to os.system, as a malicious checkpoint would."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


class _GetattrReduce:
    """Pickles as ``getattr(obj, name)``."""

    def __init__(self, obj, name):
        self.obj, self.name = obj, name

    def __reduce__(self):
        return getattr, (self.obj, self.name)


def test_real_checkpoint_loads_weights_only(trained_tiny,
                                            weights_only_loader):
    work_dir, _ = trained_tiny
    path = str(work_dir / 'epoch_1.pth')
    ckpt = safe_torch_load(path)
    # what the allowlist is for: numpy metadata and MMEngine's message hub
    assert ckpt['meta']['dataset_meta']['num_keypoints'] == 17
    buffers = ckpt['message_hub']['log_scalars']
    assert all(isinstance(b, HistoryBuffer) for b in buffers.values())
    assert buffers['train/loss'].mean() > 0
    # and MMEngine's own loader goes through the same path
    via_mmengine = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert via_mmengine['state_dict'].keys() == ckpt['state_dict'].keys()


def test_without_allowlist_the_checkpoint_needs_it(trained_tiny, cli):
    """Plain torch (no mmpose_ext import) refuses the same file: the
    allowlist is what makes it load, weights-only stays on."""
    work_dir, _ = trained_tiny
    proc = cli(['python', '-c',
                'import sys, torch\n'
                'try:\n'
                f'    torch.load({str(work_dir / "epoch_1.pth")!r})\n'
                'except Exception as e:\n'
                '    print(type(e).__name__, e); sys.exit(3)\n'], check=False)
    assert proc.returncode == 3
    assert 'UnpicklingError' in proc.stdout


def test_checkpoint_running_code_is_refused(tmp_path, weights_only_loader):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': _RunsShell(marker)}, path)
    with pytest.raises(CheckpointRefusedError) as err:
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    message = str(err.value)
    assert 'Refused to load checkpoint' in message and str(path) in message
    assert 'posix.system' in message or 'os.system' in message
    assert not marker.exists()
    with pytest.raises(CheckpointRefusedError):
        load_checkpoint(torch.nn.Linear(1, 1), str(path))
    assert not marker.exists()


@pytest.mark.parametrize('obj,name', [
    (HistoryBuffer, '__init__'),
    (HistoryBuffer, 'update'),
    (HistoryBuffer, '__dict__'),
    (torch.nn.Module, 'load_state_dict'),
])
def test_getattr_is_limited_to_history_buffer_statistics(tmp_path, obj, name):
    path = tmp_path / 'getattr.pth'
    torch.save({'x': _GetattrReduce(obj, name)}, path, pickle_protocol=2)
    with pytest.raises(CheckpointRefusedError):
        safe_torch_load(str(path))


def test_history_buffer_statistics_round_trip(tmp_path):
    buffer = HistoryBuffer()
    for v in (1.0, 3.0):
        buffer.update(v)
    path = tmp_path / 'buffer.pth'
    torch.save({'b': buffer, 'mean': HistoryBuffer.mean}, path)
    loaded = safe_torch_load(str(path))
    assert loaded['b'].mean() == 2.0
    assert loaded['mean'] is HistoryBuffer.mean


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        safe_torch_load(str(tmp_path / 'nothing.pth'))


def test_mim_test_refuses_malicious_checkpoint(cli, tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': _RunsShell(marker)}, path)
    proc = cli(['python', '-m', 'mmpose_ext.tools.test',
                'configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py', path,
                '--work-dir', tmp_path / 'work'], check=False)
    assert proc.returncode != 0
    assert 'Refused to load checkpoint' in proc.stdout
    assert not marker.exists()


def test_torch_load_default_stays_weights_only(tmp_path):
    """mmpose_ext's allowlist does not switch weights-only loading off for
    anybody else's torch.load."""
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'meta': _RunsShell(marker)}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    assert not marker.exists()


def test_import_changes_no_mmengine_or_torch_behaviour(trained_tiny, cli):
    """``import mmpose_ext`` leaves MMEngine's local loader and torch's
    allowlist as they were (plain torch.load still refuses an MMEngine
    checkpoint); only the explicit call changes MMEngine's loader."""
    work_dir, _ = trained_tiny
    proc = cli(['python', '-c',
                'import pickle, torch\n'
                'from mmengine.logging import HistoryBuffer\n'
                'from mmengine.runner.checkpoint import CheckpointLoader\n'
                "loader = CheckpointLoader._schemes['']\n"
                'import mmpose_ext, mmpose_ext.apis, mmpose_ext.tools.train\n'
                "assert CheckpointLoader._schemes[''] is loader\n"
                'from mmpose_ext.checkpoints import *\n'
                'install_weights_only_loader()\n'
                "assert CheckpointLoader._schemes[''] is "
                'load_local_checkpoint\n'
                'allowed = torch.serialization.get_safe_globals()\n'
                'assert HistoryBuffer not in allowed, allowed\n'
                'try:\n'
                f'    torch.load({str(work_dir / "epoch_1.pth")!r})\n'
                'except pickle.UnpicklingError:\n'
                "    print('torch.load refuses')\n"
                'uninstall_weights_only_loader()\n'
                "assert CheckpointLoader._schemes[''] is loader\n"
                "print('unchanged')\n"])
    assert 'torch.load refuses' in proc.stdout
    assert 'unchanged' in proc.stdout


def test_weights_only_loader_hook_scopes_the_loader_to_the_run():
    """MMPose's own tools: the hook installs the loader before the Runner
    reads load_from / --resume, and gives MMEngine's back after the run."""
    from mmpose_ext.checkpoints import weights_only_loader_installed
    from mmpose_ext.engine.hooks import WeightsOnlyLoaderHook
    assert not weights_only_loader_installed()
    hook = WeightsOnlyLoaderHook()
    hook.before_run(runner=None)
    assert weights_only_loader_installed()
    hook.after_run(runner=None)
    assert not weights_only_loader_installed()
