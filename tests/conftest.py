"""Shared test fixtures: where coco_tiny is, running the command-line tools,
and MMEngine's default scope.

How the tests stand alone:

- ``tests/`` and each folder below it that holds tests is a package (it has
  an ``__init__.py``), and ``pythonpath = ["."]`` in pyproject.toml's
  ``[tool.pytest.ini_options]`` puts the repository root on ``sys.path``.
  Helpers shared by several test modules live in ``tests/helpers/`` and are
  imported as ``from tests.helpers.<module> import ...``; test modules never
  import each other, and nothing in the tests edits ``sys.path``
  (``tests/test_layout.py`` checks these rules). A new test folder needs an
  ``__init__.py``.
- Paths to files of the repository are built from
  :data:`tests.helpers.REPO`, never from the working directory; command-line
  tools run with an explicit ``cwd`` (:func:`run_cli`: the repository root
  unless told otherwise), so the suite passes from any directory.
- MMEngine's default scope is process-global: every test module starts
  without one and whatever a test sets is undone after it (the two autouse
  fixtures below, checked by ``tests/test_default_scope_isolation.py``), so
  no test depends on the ones that ran before it. A test that builds
  through MMEngine's root registries (an estimator's data preprocessor, a
  Runner's parts) asks for the ``mmpose_scope`` fixture or sets the scope
  itself.
"""
import os
import os.path as osp
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

import pytest
from mmengine.registry import DefaultScope

from tests.helpers import REPO

BIN = Path(sys.executable).parent

# `pytester` runs inner pytest sessions (tests/test_default_scope_isolation.py)
pytest_plugins = ('pytester', )


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


# MMEngine keeps the DefaultScope instances in ``DefaultScope._instance_dict``
# (the last one is the current scope); its own
# ``DefaultScope.overwrite_default_scope`` saves and restores that dict the
# same way. Module- and function-scoped autouse fixtures run before the other
# fixtures of their scope, so the snapshots are taken before any of them
# builds anything.
@pytest.fixture(autouse=True, scope='module')
def _module_starts_without_default_scope():
    """Each test module starts without a default scope, whatever importing
    the suite or the modules before it set; the previous state comes back
    after the module."""
    saved = DefaultScope._instance_dict
    DefaultScope._instance_dict = OrderedDict()
    yield
    DefaultScope._instance_dict = saved


@pytest.fixture(autouse=True)
def _restore_default_scope():
    """Undo the default scopes a test created (e.g. MMDetection's
    ``init_detector`` leaves ``mmdet`` as the current scope)."""
    saved = DefaultScope._instance_dict.copy()
    yield
    DefaultScope._instance_dict = saved


@pytest.fixture
def mmpose_scope():
    """MMPose as the default scope while the test runs: what an estimator
    needs to build its data preprocessor through MMEngine's root ``MODELS``
    registry."""
    with DefaultScope.overwrite_default_scope('mmpose'):
        yield


@pytest.fixture(scope='session')
def coco_tiny():
    """Absolute path of the coco_tiny folder."""
    return COCO_TINY


def run_cli(args, cwd=REPO, timeout=600, env=None, check=True):
    """Run a command (``args[0]`` looked up next to this Python first) in
    ``cwd`` (the repository root unless told otherwise, so relative paths in
    ``args`` are the repository's) and return its ``CompletedProcess`` with
    stdout and stderr merged into ``.stdout``. With ``check``, a non-zero
    exit fails the test and shows the output's tail."""
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
