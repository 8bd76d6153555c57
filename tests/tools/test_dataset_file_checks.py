"""Bad input to the tools: missing data, corrupt images, unknown config keys."""
import shutil

import pytest
from mmengine.config import Config

from mmpose_ext.tools.dataset_file_checks import check_dataset_files
from tests.helpers import REPO

CONFIG = str(REPO / 'configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py')


def _cfg(**loaders):
    return Config({f'{k}_dataloader': v for k, v in loaders.items()})


def test_existing_files_pass(coco_tiny):
    cfg = Config.fromfile(CONFIG)
    check_dataset_files(cfg, ('train', 'val', 'test'))


@pytest.mark.parametrize('field,value,key', [
    ('data_root', '/no/such/root/', 'train_dataloader.dataset.data_root'),
    ('ann_file', 'missing.json', 'train_dataloader.dataset.ann_file'),
    ('data_prefix', dict(img='nope/'), 'train_dataloader.dataset.data_prefix.img'),
])
def test_missing_path_names_the_key(coco_tiny, field, value, key):
    cfg = Config.fromfile(CONFIG)
    cfg.train_dataloader.dataset[field] = value
    with pytest.raises(FileNotFoundError) as err:
        check_dataset_files(cfg, ('train', 'val'))
    assert key in str(err.value) and '--cfg-options' in str(err.value)
    assert 'val_dataloader' not in str(err.value)


def test_nested_and_bbox_file(tmp_path):
    cfg = _cfg(
        train=dict(dataset=dict(type='CombinedDataset', datasets=[
            dict(data_root=str(tmp_path), ann_file='a.json')])),
        test=dict(dataset=dict(bbox_file=str(tmp_path / 'det.json'))))
    with pytest.raises(FileNotFoundError) as err:
        check_dataset_files(cfg, ('train', 'test'))
    assert 'train_dataloader.dataset.datasets[0].ann_file' in str(err.value)
    assert 'test_dataloader.dataset.bbox_file' in str(err.value)


def test_disabled_loader_is_skipped():
    check_dataset_files(_cfg(val=None), ('val', ))


def test_train_tool_reports_missing_data_root(cli, tmp_path):
    proc = cli(['mim', 'train', 'mmpose_ext', CONFIG, '--work-dir', tmp_path,
                '--cfg-options', 'train_dataloader.dataset.data_root=/no/such'],
               check=False)
    assert proc.returncode != 0
    assert "train_dataloader.dataset.data_root = '/no/such'" in proc.stdout


def test_test_tool_reports_missing_annotation(cli, tmp_path):
    ckpt = tmp_path / 'x.pth'
    ckpt.write_bytes(b'')
    proc = cli(['python', '-m', 'mmpose_ext.tools.test', CONFIG, ckpt,
                '--cfg-options', 'test_dataloader.dataset.ann_file=gone.json'],
               check=False)
    assert proc.returncode != 0
    assert 'test_dataloader.dataset.ann_file' in proc.stdout
    assert 'gone.json' in proc.stdout


def test_missing_config_and_checkpoint(cli, tmp_path):
    proc = cli(['python', '-m', 'mmpose_ext.tools.train', 'configs/nope.py'],
               check=False)
    assert proc.returncode != 0 and "config file 'configs/nope.py'" in proc.stdout
    proc = cli(['python', '-m', 'mmpose_ext.tools.test', CONFIG,
                tmp_path / 'none.pth'], check=False)
    assert proc.returncode != 0 and 'none.pth' in proc.stdout
    assert 'does not exist' in proc.stdout


def test_corrupt_image_names_the_file(cli, coco_tiny, tmp_path):
    data = tmp_path / 'data'
    shutil.copytree(coco_tiny, data)
    bad = data / '000000000785.jpg'
    bad.write_bytes(b'this is not a jpeg')
    proc = cli(['mim', 'train', 'mmpose_ext', CONFIG, '--work-dir',
                tmp_path / 'work', '--cfg-options', 'train_cfg.max_epochs=1',
                f'train_dataloader.dataset.data_root={data}/',
                'train_dataloader.sampler.shuffle=False'], check=False)
    assert proc.returncode != 0
    assert f'failed to load image: {bad}' in proc.stdout


def test_unknown_config_argument_names_class_and_key(cli, tmp_path):
    proc = cli(['mim', 'train', 'mmpose_ext', CONFIG, '--work-dir', tmp_path,
                '--cfg-options', 'model.head.decov_out_channels=[8]'],
               check=False)
    assert proc.returncode != 0
    assert 'HeatmapHead' in proc.stdout
    assert "unexpected keyword argument 'decov_out_channels'" in proc.stdout
