"""`mim train` / `mim test` / `--resume` through mmpose_ext's tools."""
import json
import shutil

import torch

from mmpose_ext.checkpoints import safe_torch_load
from tests.helpers import REPO

CONFIG = 'configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py'


def test_mim_train_writes_checkpoint(trained_tiny):
    work_dir, out = trained_tiny
    assert 'Epoch(train) [1][2/2]' in out
    assert 'Epoch(train) [1][3/' not in out
    ckpt = safe_torch_load(str(work_dir / 'epoch_1.pth'))
    assert ckpt['meta']['epoch'] == 1 and ckpt['meta']['iter'] == 2
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['epoch_1.pth']


def test_mim_test_prints_ap(trained_tiny, cli, tmp_path):
    work_dir, _ = trained_tiny
    out_file = tmp_path / 'metrics.json'
    proc = cli(['mim', 'test', 'mmpose_ext', CONFIG, '--checkpoint',
                work_dir / 'epoch_1.pth', '--work-dir', tmp_path,
                '--out', out_file])
    assert 'coco/AP:' in proc.stdout
    metrics = json.loads(out_file.read_text())
    assert 0.0 <= metrics['coco/AP'] <= 1.0
    assert {'coco/AP', 'coco/AP .5', 'coco/AR'} <= set(metrics)


def test_resume_continues_at_saved_iteration(trained_tiny, cli, tmp_path):
    src, _ = trained_tiny
    work_dir = tmp_path / 'resumed'
    shutil.copytree(src, work_dir)
    proc = cli(['mim', 'train', 'mmpose_ext', CONFIG, '--work-dir', work_dir,
                '--resume', '--cfg-options', 'train_dataloader.batch_size=6',
                'train_cfg.max_epochs=2',
                'default_hooks.checkpoint.save_best=None'])
    assert 'resumed epoch: 1, iter: 2' in proc.stdout
    assert 'Epoch(train) [1]' not in proc.stdout
    assert 'Epoch(train) [2][2/2]' in proc.stdout

    first = safe_torch_load(str(src / 'epoch_1.pth'))
    second = safe_torch_load(str(work_dir / 'epoch_2.pth'))
    assert second['meta']['iter'] == 4
    # Adam counts its steps per parameter: 4 only if the resumed run started
    # from the saved optimizer state (2 + 2), 2 if it started afresh.
    steps = {float(s['step']) for s in second['optimizer']['state'].values()}
    assert steps == {4.0}
    # and the moments continued from the saved ones rather than from zero
    key = next(iter(first['optimizer']['state']))
    assert not torch.equal(first['optimizer']['state'][key]['exp_avg'],
                           second['optimizer']['state'][key]['exp_avg'])


def test_train_tool_accepts_mmpose_arguments(cli):
    """The tools parse arguments with MMPose's own parser: same options."""
    expected = {
        'train': ('--work-dir', '--cfg-options', '--launcher', '--show-dir',
                  '--resume', '--amp', '--no-validate', '--auto-scale-lr'),
        'test': ('--work-dir', '--cfg-options', '--launcher', '--show-dir',
                 '--out', '--dump'),
    }
    for tool, options in expected.items():
        usage = cli(['python', '-m', f'mmpose_ext.tools.{tool}', '-h']).stdout
        for option in options:
            assert option in usage, (tool, option)


def _other_config_checkpoint(trained_tiny, tmp_path):
    """The trained R18 checkpoint with a 16-keypoint final layer, as if it
    had been trained with an MPII config."""
    work_dir, _ = trained_tiny
    ckpt = safe_torch_load(str(work_dir / 'epoch_1.pth'))
    state = ckpt['state_dict']
    state['head.final_layer.weight'] = state['head.final_layer.weight'][:16]
    state['head.final_layer.bias'] = state['head.final_layer.bias'][:16]
    path = tmp_path / 'mpii_head.pth'
    torch.save({'state_dict': state, 'meta': {'epoch': 1, 'iter': 2}}, path)
    return path


def test_mim_test_refuses_a_checkpoint_of_another_config(trained_tiny, cli,
                                                         tmp_path):
    path = _other_config_checkpoint(trained_tiny, tmp_path)
    proc = cli(['mim', 'test', 'mmpose_ext', CONFIG, '--checkpoint', path,
                '--work-dir', tmp_path / 'work'], check=False)
    assert proc.returncode != 0
    assert 'CheckpointMismatchError' in proc.stdout
    assert 'does not match the TopdownPoseEstimator built from' in proc.stdout
    assert 'head.final_layer.weight: (16, ' in proc.stdout
    assert 'head.final_layer.bias: (16,) vs (17,)' in proc.stdout
    assert 'trained with another config' in proc.stdout
    assert 'coco/AP:' not in proc.stdout


def test_mim_test_loads_what_fits_when_allowed(trained_tiny, cli, tmp_path):
    path = _other_config_checkpoint(trained_tiny, tmp_path)
    proc = cli(['mim', 'test', 'mmpose_ext', CONFIG, '--checkpoint', path,
                '--work-dir', tmp_path / 'work', '--cfg-options',
                'allow_partial_checkpoint=True'])
    assert 'allow_partial_checkpoint=True: loading only the weights that ' \
        'fit' in proc.stdout
    assert 'coco/AP:' in proc.stdout


def test_load_from_refuses_a_checkpoint_of_another_config(trained_tiny, cli,
                                                          tmp_path):
    path = _other_config_checkpoint(trained_tiny, tmp_path)
    proc = cli(['mim', 'train', 'mmpose_ext', CONFIG, '--work-dir',
                tmp_path / 'work', '--cfg-options', f'load_from={path}'],
               check=False)
    assert proc.returncode != 0
    assert 'head.final_layer.bias: (16,) vs (17,)' in proc.stdout
    assert 'Epoch(train)' not in proc.stdout


def test_mmpose_test_tool_with_the_checkpoint_hooks(trained_tiny, cli,
                                                     tmp_path):
    """MMPose's own tools/test.py: without mmpose_ext's hooks torch refuses
    the MMEngine checkpoint (import mmpose_ext changes nothing); with
    WeightsOnlyLoaderHook it loads, and CheckpointFitHook refuses a
    checkpoint of another config."""
    import os.path as osp

    import mmpose
    mmpose_test = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools',
                           'test.py')
    work_dir, _ = trained_tiny
    config = tmp_path / 'with_hooks.py'
    config.write_text(
        f"_base_ = ['{REPO / CONFIG}']\n"
        "custom_hooks = [dict(type='WeightsOnlyLoaderHook'),\n"
        "                dict(type='CheckpointFitHook')]\n")
    plain = cli(['python', mmpose_test, CONFIG, work_dir / 'epoch_1.pth',
                 '--work-dir', tmp_path / 'plain'], check=False)
    assert plain.returncode != 0 and 'UnpicklingError' in plain.stdout
    hooked = cli(['python', mmpose_test, config, work_dir / 'epoch_1.pth',
                  '--work-dir', tmp_path / 'hooked'])
    assert 'coco/AP:' in hooked.stdout
    refused = cli(['python', mmpose_test, config,
                   _other_config_checkpoint(trained_tiny, tmp_path),
                   '--work-dir', tmp_path / 'refused'], check=False)
    assert refused.returncode != 0
    assert 'head.final_layer.bias: (16,) vs (17,)' in refused.stdout
