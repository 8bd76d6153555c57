"""Two-process training on CPU (gloo) through MMEngine's pytorch launcher."""
import json
import os
import socket

import pytest

from mmpose_ext.checkpoints import safe_torch_load
from tests.helpers import REPO

CONFIG = REPO / 'configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py'


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_process_cpu_training(cli, tmp_path):
    cfg = tmp_path / 'ddp.py'
    cfg.write_text(
        f"_base_ = ['{CONFIG}']\n"
        "custom_imports = dict(imports=['mmpose_ext',\n"
        "                               'tests.helpers.rank_probe'],\n"
        "                      allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='SyncBuffersHook'),\n"
        "                dict(type='RankProbeHook')]\n"
        "train_cfg = dict(max_epochs=1)\n"
        "default_hooks = dict(checkpoint=dict(save_best=None))\n")
    work_dir = tmp_path / 'work'
    # the ranks import the hook as tests.helpers.rank_probe: the repository
    # root goes first on their PYTHONPATH (whatever else is on it stays)
    pythonpath = os.pathsep.join(
        p for p in (str(REPO), os.environ.get('PYTHONPATH')) if p)
    cli(['torchrun', '--nproc_per_node=2', f'--master_port={_free_port()}',
         '-m', 'mmpose_ext.tools.train', cfg, '--launcher', 'pytorch',
         '--work-dir', work_dir],
        env={'PYTHONPATH': pythonpath})

    ranks = [json.loads((work_dir / f'rank{r}.json').read_text())
             for r in (0, 1)]
    assert [r['world_size'] for r in ranks] == [2, 2]
    # 12 instances, batch 4, 2 ranks: each rank runs 2 iterations on its own
    # shard; together they cover every instance.
    assert [r['iters'] for r in ranks] == [2, 2]
    assert set(ranks[0]['ids']) != set(ranks[1]['ids'])
    assert len(set(ranks[0]['ids']) | set(ranks[1]['ids'])) == 12
    # gradients were averaged: both replicas hold the same weights ...
    assert ranks[0]['param_sum'] == pytest.approx(ranks[1]['param_sum'],
                                                  rel=1e-12)
    # ... and exactly one checkpoint was written, holding them
    assert [p.name for p in work_dir.glob('*.pth')] == ['epoch_1.pth']
    ckpt = safe_torch_load(str(work_dir / 'epoch_1.pth'))
    saved = sum(float(v.double().sum()) for k, v in ckpt['state_dict'].items()
                if not k.endswith(('running_mean', 'running_var',
                                   'num_batches_tracked')))
    assert saved == pytest.approx(ranks[0]['param_sum'], rel=1e-9)
