"""The SimDR, DARK and UDP configs: real ones are consistent and build;
the coco_tiny variants train for two iterations and test with mim."""
from pathlib import Path

import pytest
from mmengine import Config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

import mmpose_ext  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
REAL = {
    'configs/simdr_r50.py': ('SimDRLabel', (192, 256)),
    'configs/dark_r50.py': ('DARKHeatmap', (192, 256)),
    'configs/dark_r50_128x96.py': ('DARKHeatmap', (96, 128)),
    'configs/udp_r50.py': ('UDPCodec', (192, 256)),
}
TINY = [
    'configs/simdr/simdr_res18_coco-tiny-128x96.py',
    'configs/dark/td-hm_res18_dark_coco-tiny-128x96.py',
    'configs/udp/td-hm_res18_udp_coco-tiny-128x96.py',
]


def check_sizes_follow_codec(cfg):
    codec = cfg.codec
    assert cfg.model.head.decoder == codec
    use_udp = codec.type == 'UDPCodec'
    for pipeline in (cfg.train_dataloader.dataset.pipeline,
                     cfg.val_dataloader.dataset.pipeline):
        affine = [t for t in pipeline if t.type == 'TopdownAffine']
        assert len(affine) == 1
        assert tuple(affine[0].input_size) == tuple(codec.input_size)
        assert affine[0].get('use_udp', False) == use_udp
    target = [t for t in cfg.train_dataloader.dataset.pipeline
              if t.type == 'GenerateTarget']
    assert target[0].encoder == codec
    if use_udp:
        assert cfg.model.test_cfg.shift_heatmap is False


@pytest.mark.parametrize('path', sorted(REAL))
def test_real_configs(path):
    cfg = Config.fromfile(str(REPO / path))
    codec_type, input_size = REAL[path]
    assert cfg.codec.type == codec_type
    assert tuple(cfg.codec.input_size) == input_size
    assert cfg.model.backbone.init_cfg == dict(
        type='Pretrained', checkpoint='torchvision://resnet50')
    assert cfg.train_dataloader.dataset.data_root == 'data/coco/'
    assert cfg.val_dataloader.dataset.bbox_file.endswith(
        'COCO_val2017_detections_AP_H_56_person.json')
    check_sizes_follow_codec(cfg)
    init_default_scope('mmpose')
    model = MODELS.build(cfg.model)  # builds; weights are not loaded
    assert type(model.head.decoder).__name__ == codec_type


@pytest.mark.parametrize('path', TINY)
def test_tiny_train_and_test(path, cli, tmp_path):
    cfg = Config.fromfile(str(REPO / path))
    assert cfg.model.backbone.init_cfg is None
    check_sizes_follow_codec(cfg)
    train = cli(['mim', 'train', 'mmpose_ext', path, '--work-dir', tmp_path])
    assert 'Iter(train) [2/2]' in train.stdout
    assert 'coco/AP:' in train.stdout
    checkpoint = tmp_path / 'iter_2.pth'
    assert checkpoint.is_file()
    test = cli(['mim', 'test', 'mmpose_ext', path, '--checkpoint', checkpoint,
                '--work-dir', tmp_path])
    assert 'Iter(test) [3/3]' in test.stdout and 'coco/AP:' in test.stdout
