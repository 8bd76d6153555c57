"""A project outside mmpose_ext (tests/fixtures/external_project, copied to a
temporary folder) trains each model family for 2 iterations with MMPose's own
tools/train.py, loading mmpose_ext and its own module via custom_imports."""
import json
import os.path as osp
import shutil

import mmpose
import pytest

import mmpose_ext

FIXTURE = osp.join(osp.dirname(__file__), '..', 'fixtures', 'external_project')
MMPOSE_TRAIN = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools',
                        'train.py')
# 12 coco_tiny people with keypoints / batch 6 = 2 iterations in 1 epoch
TWO_EPOCH_ITERATIONS = ['train_dataloader.batch_size=6',
                        'train_cfg.max_epochs=1',
                        'default_hooks.checkpoint.save_best=None']
# One line per model family: (fixture config, --cfg-options for 2
# iterations, last training log line, backbone class, head class).
FAMILIES = {
    'simplebaseline': ('configs/simplebaseline_tiny.py', TWO_EPOCH_ITERATIONS,
                       'Epoch(train) [1][2/2]', 'ResNet', 'HeatmapHead'),
    'simdr': ('configs/simdr_tiny.py', [], 'Iter(train) [2/2]', 'ResNet',
              'SimDRHead'),
    'dark': ('configs/dark_tiny.py', [], 'Iter(train) [2/2]', 'ResNet',
             'HeatmapHead'),
    'udp': ('configs/udp_tiny.py', [], 'Iter(train) [2/2]', 'ResNet',
            'HeatmapHead'),
    'vitpose': ('configs/vitpose_tiny.py', [], 'Iter(train) [2/2]',
                'PlainViT', 'HeatmapHead'),
    'tfpose': ('configs/tfpose_tiny.py', TWO_EPOCH_ITERATIONS,
               'Epoch(train) [1][2/2]', 'ResNet', 'TFPoseHead'),
}


@pytest.fixture(scope='module')
def project(tmp_path_factory):
    """A copy of the project away from the repository; mmpose_ext's configs
    come from the installed package, as for a user."""
    root = tmp_path_factory.mktemp('outside') / 'external_project'
    shutil.copytree(FIXTURE, root)
    configs = osp.join(osp.dirname(mmpose_ext.__file__), '.mim', 'configs')
    assert osp.isdir(configs)
    return root, configs


@pytest.mark.parametrize('family', list(FAMILIES))
def test_mmpose_train_tool_trains_two_iterations(family, project, cli,
                                                 coco_tiny):
    root, configs = project
    config, options, last_log, backbone, head = FAMILIES[family]
    work_dir = root / 'work_dirs' / family
    proc = cli(['python', MMPOSE_TRAIN, config, '--work-dir', work_dir] +
               (['--cfg-options', *options] if options else []), cwd=root,
               env=dict(PYTHONPATH=str(root), MMPOSE_EXT_CONFIGS=configs))
    assert last_log in proc.stdout
    record = json.loads((work_dir / 'trained_iterations.json').read_text())
    assert record == dict(iterations=2, backbone=backbone, head=head)
    last = (work_dir / 'last_checkpoint').read_text().strip()
    assert osp.isfile(last) and last.endswith(('epoch_1.pth', 'iter_2.pth'))
