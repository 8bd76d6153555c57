"""Shared test fixtures: where coco_tiny is, and running the command-line tools."""
import os
import os.path as osp
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _find_coco_tiny():
    env = os.environ.get('MMPOSE_EXT_COCO_TINY')
    candidates = [env] if env else [REPO.parent / 'shared/data/coco_tiny',
                                    Path('/work/shared/data/coco_tiny')]
    for path in candidates:
        if path and osp.isfile(osp.join(path, 'person_keypoints_tiny.json')):
            return str(Path(path).resolve())
    raise FileNotFoundError(
        f'coco_tiny not found (looked at {candidates}); set '
        'MMPOSE_EXT_COCO_TINY to the folder holding person_keypoints_tiny.json')


COCO_TINY = _find_coco_tiny()
# Configs read it through {{$MMPOSE_EXT_COCO_TINY:...}}; subprocesses inherit it.
os.environ['MMPOSE_EXT_COCO_TINY'] = COCO_TINY


@pytest.fixture(scope='session')
def coco_tiny():
    """Absolute path of the coco_tiny folder."""
    return COCO_TINY


def run_cli(args, cwd=REPO, timeout=600, env=None, check=True):
    """Run a command (``args[0]`` looked up next to this Python first) and
    return its ``CompletedProcess`` with stdout and stderr merged into
    ``.stdout``. With ``check``, a non-zero exit fails the test and shows the
    output's tail."""
    exe = BIN / args[0]
    cmd = [str(exe) if exe.exists() else args[0], *map(str, args[1:])]
    proc = subprocess.run(
        cmd, cwd=cwd, env={**os.environ, **(env or {})}, timeout=timeout,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and proc.returncode != 0:
        pytest.fail(f'{" ".join(cmd)} exited with {proc.returncode}:\n'
                    f'{proc.stdout[-6000:]}')
    return proc


@pytest.fixture(scope='session')
def cli():
    """:func:`run_cli` as a fixture."""
    return run_cli


SIMPLEBASELINE_TINY = 'configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py'
# 12 coco_tiny instances with keypoints / batch 6 = 2 iterations per epoch
TWO_ITERATIONS = ['train_dataloader.batch_size=6', 'train_cfg.max_epochs=1',
                  'default_hooks.checkpoint.save_best=None']


@pytest.fixture(scope='session')
def trained_tiny(tmp_path_factory):
    """A SimpleBaseline-R18 trained for 2 iterations on coco_tiny through
    ``mim train``: ``(work_dir, train output)``."""
    work_dir = tmp_path_factory.mktemp('trained_tiny')
    proc = run_cli(['mim', 'train', 'mmpose_ext', SIMPLEBASELINE_TINY,
                    '--work-dir', work_dir, '--cfg-options', *TWO_ITERATIONS])
    return work_dir, proc.stdout


@pytest.fixture
def weights_only_loader():
    """MMEngine's local checkpoint loads go through mmpose_ext's weights-only
    loader during the test (as in mmpose_ext's tools), then back to
    MMEngine's own."""
    from mmpose_ext.checkpoints import (install_weights_only_loader,
                                        uninstall_weights_only_loader)
    install_weights_only_loader()
    yield
    uninstall_weights_only_loader()
