"""The README's main jobs (``make quickstart``, ``--model vitpose``) end to
end on a few synthetic images with small models: data, (MAE pre-training
and its cache,) training, evaluation, picture, summary; a second run reuses
the finished training."""
import json
import os.path as osp
import re

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

    # a run of another model (the config changed since) is trained again,
    # not reused: its checkpoint would not load into this model
    dumped = work_dir / osp.basename(TINY)
    text = dumped.read_text()
    assert 'num_decoder_layers=2' in text
    dumped.write_text(text.replace('num_decoder_layers=2',
                                   'num_decoder_layers=3'))
    fourth = cli(args, timeout=900).stdout
    assert 'trained another model than' in fourth
    assert 'mmpose_ext.tools.train' in fourth
    assert 'training: reusing' not in fourth


VITPOSE_TINY = 'tests/fixtures/configs/vitpose-p8_tiny_synthetic.py'
MAE_TINY = 'tests/fixtures/configs/mae_vitpose-p8_tiny_synthetic.py'


def test_vitpose_job_defaults():
    args = quickstart.parse_args(['--model', 'vitpose'])
    assert args.config == quickstart.JOBS['vitpose']['config']
    assert args.mae_config == quickstart.JOBS['vitpose']['mae_config']
    assert args.work_dir == 'work_dirs/quickstart_vitpose'
    tfpose = quickstart.parse_args([])
    assert (tfpose.config, tfpose.mae_config, tfpose.work_dir) == (
        quickstart.DEFAULT_CONFIG, None, 'work_dirs/quickstart')
    with pytest.raises(SystemExit):
        quickstart.parse_args(['--mae-config', MAE_TINY])
    with pytest.raises(SystemExit):
        quickstart.parse_args(['--mae-data-root', 'elsewhere'])
    # the MAE set: training images only, not the pose set's seed
    assert args.mae_data_root == 'data/synthetic_mae'
    generator = quickstart.MAE_DATA['args']
    assert generator[generator.index('--num-val') + 1] == '0'
    assert generator[generator.index('--seed') + 1] != '0'


def test_the_mae_configs_read_the_unlabeled_set(monkeypatch):
    from mmengine.config import Config
    monkeypatch.setenv('MMPOSE_EXT_SYNTHETIC', '/pose')
    monkeypatch.setenv('MMPOSE_EXT_SYNTHETIC_MAE', '/unlabeled')
    cfg = Config.fromfile(str(REPO / quickstart.JOBS['vitpose']['mae_config']))
    assert cfg.train_dataloader.dataset.data_root == '/unlabeled/'
    # the reconstruction pictures: the pose set's val crops
    hook, = [h for h in cfg.custom_hooks
             if h['type'] == 'MAEReconstructionHook']
    assert hook['dataset']['data_root'] == '/pose/'


def _write_train_annotations(root, text):
    ann = root / 'annotations' / 'person_keypoints_train.json'
    ann.parent.mkdir(parents=True, exist_ok=True)
    ann.write_text(text)


def test_mae_cache_path_follows_the_resolved_config(tmp_path, monkeypatch):
    from mmengine.config import Config
    monkeypatch.setenv('MMPOSE_EXT_CACHE', str(tmp_path / 'cache'))
    monkeypatch.setenv('MMPOSE_EXT_SYNTHETIC_MAE', str(tmp_path / 'a'))
    for root in 'ab':
        _write_train_annotations(tmp_path / root, '{"images": []}')
    same = tmp_path / 'mae_same.py'
    same.write_text(f"_base_ = ['{REPO / MAE_TINY}']\n")
    longer = tmp_path / 'mae_longer.py'
    longer.write_text(f"_base_ = ['{REPO / MAE_TINY}']\n"
                      'train_cfg = dict(max_iters=3)\n')

    def path(config):
        return quickstart.mae_cache_path(Config.fromfile(str(config)),
                                         str(config))

    base = path(REPO / MAE_TINY)
    assert osp.dirname(base) == str(tmp_path / 'cache' / 'mae')
    assert osp.basename(base).startswith('mae_vitpose-p8_tiny_synthetic-')
    # the digest is of what the config resolves to, not of its file
    assert osp.basename(path(same)) == 'mae_same-' + base.rsplit('-', 1)[1]
    assert path(longer).rsplit('-', 1)[1] != base.rsplit('-', 1)[1]
    # another data root is other pre-training data
    monkeypatch.setenv('MMPOSE_EXT_SYNTHETIC_MAE', str(tmp_path / 'b'))
    assert path(REPO / MAE_TINY) != base
    # so is another set generated into the same root (the quickstart's
    # root is the relative data/synthetic_mae, the same string for every
    # set)
    monkeypatch.setenv('MMPOSE_EXT_SYNTHETIC_MAE', str(tmp_path / 'a'))
    _write_train_annotations(tmp_path / 'a', '{"images": [1]}')
    regenerated = path(REPO / MAE_TINY)
    assert regenerated != base
    assert osp.basename(regenerated).startswith(
        'mae_vitpose-p8_tiny_synthetic-')
    _write_train_annotations(tmp_path / 'a', '{"images": []}')
    assert path(REPO / MAE_TINY) == base


def test_mae_cache_path_needs_the_training_annotations(tmp_path,
                                                       monkeypatch):
    from mmengine.config import Config
    monkeypatch.setenv('MMPOSE_EXT_SYNTHETIC_MAE', str(tmp_path / 'none'))
    with pytest.raises(FileNotFoundError,
                       match='none/annotations/person_keypoints_train.json '
                       '.* missing'):
        quickstart.mae_cache_path(Config.fromfile(str(REPO / MAE_TINY)),
                                  MAE_TINY)


@pytest.mark.parametrize('case, backbone, found', [
    ('no init_cfg', 'dict(init_cfg=None)', 'None'),
    ('not Pretrained', "dict(init_cfg=dict(_delete_=True, type='Normal', "
     "layer='Linear'))", "{'type': 'Normal'"),
])
def test_vitpose_job_refuses_a_backbone_without_pretrained_init(
        tmp_path, monkeypatch, case, backbone, found):
    config = tmp_path / 'vitpose_scratch.py'
    config.write_text(f"_base_ = ['{REPO / VITPOSE_TINY}']\n"
                      f'model = dict(backbone={backbone})\n')
    data_root = tmp_path / 'synthetic'
    # main sets it from --data-root; restored after the test
    monkeypatch.setenv('MMPOSE_EXT_SYNTHETIC', str(data_root))
    with pytest.raises(SystemExit) as info:
        quickstart.main(['--model', 'vitpose', '--config', str(config),
                         '--mae-config', MAE_TINY, '--data-root',
                         str(data_root), '--work-dir', str(tmp_path / 'w')])
    message = str(info.value.code)
    assert message.startswith(
        f"quickstart --model vitpose: {config} has no model.backbone."
        "init_cfg of type 'Pretrained' (it has " + found)
    assert 'MAE checkpoint would not be loaded' in message
    assert "init_cfg=dict(_delete_=True, type='Pretrained'" in message
    # refused before anything was generated or trained
    assert not data_root.exists() and not (tmp_path / 'w').exists()


def test_vitpose_job_pretrains_caches_finetunes_and_reuses(
        synthetic_small, tmp_path, cli):
    from mmengine.config import Config
    work_dir = tmp_path / 'quickstart_vitpose'
    env = {'MMPOSE_EXT_CACHE': str(tmp_path / 'cache'),
           'MMPOSE_EXT_SYNTHETIC': str(synthetic_small),
           'MMPOSE_EXT_SYNTHETIC_MAE': str(synthetic_small)}
    # the small set stands in for the unlabeled MAE set too
    args = ['python', '-m', 'mmpose_ext.tools.quickstart', '--model',
            'vitpose', '--config', VITPOSE_TINY, '--mae-config', MAE_TINY,
            '--data-root', synthetic_small, '--mae-data-root',
            synthetic_small, '--work-dir', work_dir]
    # an interrupted pre-training: 1 of its 2 iterations, in the run dir the
    # job uses for this config (named like its cache file)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        cached = quickstart.mae_cache_path(
            Config.fromfile(str(REPO / MAE_TINY)), MAE_TINY)
    run_dir = work_dir / osp.splitext(osp.basename(cached))[0]
    cli(['python', '-m', 'mmpose_ext.tools.train', MAE_TINY, '--work-dir',
         run_dir, '--cfg-options', 'train_cfg.max_iters=1'], env=env)
    assert not osp.exists(cached)

    record = tmp_path / 'record.json'
    first = cli(args + ['--record', record], env=env, timeout=900).stdout
    assert f'MAE pre-training data: reusing {synthetic_small}' in first
    assert 'MAE pre-training: resuming the interrupted run at iter 1' in first
    # both stages with the progress bar and the remaining time
    assert '1/1 iters' in first and '(resumed at 1)' in first
    assert '2/2 iters' in first and 'ETA 00:00' in first
    assert f'MAE pre-training: cached {run_dir}/iter_2.pth as {cached}' in \
        first
    assert osp.isfile(cached)
    # the fine-tuning backbone starts from the cached encoder: PlainViT logs
    # the load only when its init_cfg is applied
    assert f'model.backbone.init_cfg.checkpoint={cached}' in first
    assert re.search(rf'PlainViT: loaded \d+ tensors from {re.escape(cached)}',
                     first)
    # what the next run checks before it reuses the fine-tuning
    assert quickstart.initialised_from(work_dir, VITPOSE_TINY) == cached

    summary = first[first.index('== mmpose_ext quickstart =='):]
    assert f'MAE ckpt    {cached}' in summary
    assert re.search(r'^pre-train   \d+\.\d min$', summary, re.MULTILINE)
    assert re.search(r'^fine-tune   \d+\.\d min$', summary, re.MULTILINE)
    metrics = json.loads((work_dir / 'val_metrics.json').read_text())
    assert f"coco/AP     {metrics['coco/AP']:.3f}" in summary
    assert f"checkpoint  {work_dir / 'iter_2.pth'}" in summary
    assert (work_dir / 'prediction.jpg').stat().st_size > 1000
    # the record holds what the summary printed, and the stages' times
    rec = json.loads(record.read_text())
    assert rec['kind'] == 'quickstart' and rec['model'] == 'vitpose'
    assert rec['command'].startswith(
        'python -m mmpose_ext.tools.quickstart --model vitpose')
    assert set(rec['stages']) == {'data', 'pretrain', 'finetune',
                                  'evaluate_and_draw'}
    assert rec['stages']['pretrain']['reused'] is False
    assert rec['stages']['finetune']['reused'] is False
    minutes = re.search(r'^fine-tune   (\d+\.\d) min$', summary,
                        re.MULTILINE).group(1)
    assert abs(rec['stages']['finetune']['seconds'] / 60 -
               float(minutes)) <= 0.051
    assert rec['metrics']['coco/AP'] == round(metrics['coco/AP'], 4)
    assert rec['load_average']['samples'] >= 2 and rec['machine']['cores']

    second = cli(args, env=env, timeout=900).stdout
    assert f'MAE pre-training: reusing the cached {cached}' in second
    assert 'fine-tuning: reusing the finished run' in second
    assert 'evaluation: reusing' in second
    assert 'mmpose_ext.tools.train' not in second
    assert 'mmpose_ext.tools.test' not in second
    summary2 = second[second.index('== mmpose_ext quickstart =='):]
    assert 'pre-train   reused (cached)' in summary2
    assert 'fine-tune   reused (finished run)' in summary2
    assert f"coco/AP     {metrics['coco/AP']:.3f}" in summary2
