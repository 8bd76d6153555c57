"""The README's main job (``make quickstart``) end to end on a few synthetic
images with a small TFPose: data, training, evaluation, picture, summary; a
second run reuses the finished training."""
import json
import os.path as osp

import pytest

from mmpose_ext.tools import quickstart
from tests.helpers import REPO

TINY = 'tests/fixtures/configs/tfpose_tiny_synthetic.py'


def test_default_config_is_tfpose():
    from mmengine.config import Config
    cfg = Config.fromfile(str(REPO / quickstart.DEFAULT_CONFIG))
    assert cfg.model.head.type == 'TFPoseHead'
    # a fixed number of iterations, whatever the machine
    assert not cfg.train_cfg.get('by_epoch', True)
    assert cfg.train_cfg.max_iters > 0
    assert cfg.train_dataloader.dataset.data_root.rstrip('/').endswith(
        'data/synthetic')


@pytest.fixture(scope='module')
def synthetic_small(tmp_path_factory, cli):
    root = tmp_path_factory.mktemp('synthetic_small') / 'synthetic'
    cli(['python', '-m', 'mmpose_ext.synthetic', '--out', root,
         '--num-train', 6, '--num-val', 3, '--seed', 1])
    return root


def test_quickstart_trains_evaluates_draws_and_reuses(
        synthetic_small, tmp_path, cli):
    work_dir = tmp_path / 'quickstart'
    args = ['python', '-m', 'mmpose_ext.tools.quickstart', '--config', TINY,
            '--data-root', synthetic_small, '--work-dir', work_dir]
    first = cli(args, timeout=900).stdout
    assert 'synthetic data: reusing' in first
    assert 'mmpose_ext.tools.train' in first
    # the progress bar with the remaining time (not a terminal: one line
    # per 5 % of the iterations, the last one at the end)
    assert '2/2 iters' in first and 'ETA 00:00' in first

    summary = first[first.index('== mmpose_ext quickstart =='):]
    metrics = json.loads((work_dir / 'val_metrics.json').read_text())
    assert 0.0 <= metrics['coco/AP'] <= 1.0
    assert f"coco/AP     {metrics['coco/AP']:.3f}" in summary
    checkpoint = work_dir / 'iter_2.pth'
    assert checkpoint.is_file()
    assert f'checkpoint  {checkpoint}' in summary
    assert (work_dir / 'prediction.jpg').stat().st_size > 1000
    log_line = next(l for l in summary.splitlines() if l.startswith('train log'))
    assert osp.isfile(log_line.split(None, 2)[2])

    second = cli(args, timeout=900).stdout
    assert 'training: reusing the finished run' in second
    assert 'evaluation: reusing' in second
    assert 'mmpose_ext.tools.train' not in second
    assert 'mmpose_ext.tools.test' not in second
    assert summary in second

    # a checkpoint newer than the metrics (e.g. trained again elsewhere) is
    # evaluated again
    checkpoint.touch()
    third = cli(args, timeout=900).stdout
    assert 'training: reusing the finished run' in third
    assert 'mmpose_ext.tools.test' in third
