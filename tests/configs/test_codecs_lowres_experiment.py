"""The arms of the codec low-resolution experiments
(configs/experiments/codecs_lowres_{128x96,64x48}/): for every size and
codec the model's output has the shape its codec decodes, the data pipeline
encodes the codec's targets (UDP, and only UDP, with the UDP affine),
evaluation uses ground-truth boxes without flip test, and the experiment
specs load."""
import pytest
import torch
from mmengine import Config
from mmengine.registry import init_default_scope
from mmpose.registry import KEYPOINT_CODECS, MODELS

import mmpose_ext  # noqa: F401  (registers our codecs)
from mmpose_ext.tools.experiment import EXPERIMENTS, load_spec

SIZES = {'128x96': (96, 128), '64x48': (48, 64)}  # name -> input (w, h)
# arm -> (codec type, bins per input pixel for SimDR)
CODECS = {
    'msra': ('MSRAHeatmap', None),
    'dark': ('DARKHeatmap', None),
    'udp': ('UDPCodec', None),
    'simdr-k2': ('SimDRLabel', 2),
    'simdr-k3': ('SimDRLabel', 3),
}


def load_arm(size, arm, data_root, monkeypatch):
    """The arm's config, its data read from ``data_root``."""
    monkeypatch.setenv('MMPOSE_EXT_SYNTHETIC', str(data_root))
    name = f'codecs_lowres_{size}'
    config = load_spec(name)['arms'][arm]
    return Config.fromfile(f'{EXPERIMENTS}/{name}/{config}')


@pytest.mark.parametrize('size', list(SIZES))
def test_spec_loads_with_every_codec_paired_with_the_standard_one(size):
    spec = load_spec(f'codecs_lowres_{size}')
    assert list(spec['arms']) == list(CODECS)
    assert spec['seeds'] == [0, 1]
    assert spec['metrics'] == ['coco/AP', 'coco/AP .5', 'PCK', 'EPE']
    assert spec['baseline'] == 'msra'
    assert spec['claims'] == {
        arm: dict(metric='coco/AP', type='superiority', direction='higher')
        for arm in CODECS if arm != 'msra'}


@pytest.mark.parametrize('size', list(SIZES))
@pytest.mark.parametrize('arm', list(CODECS))
def test_model_output_matches_codec(size, arm, tmp_path, monkeypatch):
    cfg = load_arm(size, arm, tmp_path, monkeypatch)
    w, h = SIZES[size]
    codec_type, k = CODECS[arm]
    codec_cfg = cfg.model.head.decoder
    assert codec_cfg == cfg.codec and codec_cfg['type'] == codec_type
    assert tuple(codec_cfg['input_size']) == (w, h)
    built = KEYPOINT_CODECS.build(codec_cfg)
    init_default_scope('mmpose')
    model = MODELS.build(cfg.model).eval()
    torch.manual_seed(0)
    with torch.no_grad():
        out = model._forward(torch.rand(2, 3, h, w))
    if k is not None:
        assert cfg.model.head.type == 'SimCCHead'
        assert codec_cfg['simcc_split_ratio'] == k
        # one bin per 1/k input pixel in x and in y
        assert tuple(out[0].shape) == (2, 17, w * k)
        assert tuple(out[1].shape) == (2, 17, h * k)
        assert tuple(built.vector_lengths) == (w * k, h * k)
    else:
        assert cfg.model.head.type == 'HeatmapHead'
        # stride 4 at both sizes (stride 32 and three deconvolutions at
        # 128x96, stride 16 and two at 64x48)
        assert tuple(out.shape) == (2, 17, h // 4, w // 4)
        assert tuple(built.heatmap_size) == (w // 4, h // 4)
        # the decoder takes the head's output
        if built.support_batch_decoding:
            built.batch_decode(out)
        else:  # MMPose's MSRAHeatmap: per instance
            built.decode(out[0].numpy())
    # the training targets are the codec's
    targets = [t for t in cfg.train_dataloader.dataset.pipeline
               if t['type'] == 'GenerateTarget']
    assert len(targets) == 1 and targets[0]['encoder'] == codec_cfg


@pytest.mark.parametrize('size', list(SIZES))
@pytest.mark.parametrize('arm', list(CODECS))
def test_pipelines_and_evaluation(size, arm, tmp_path, monkeypatch):
    cfg = load_arm(size, arm, tmp_path, monkeypatch)
    w, h = SIZES[size]
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        affines = [t for t in cfg[loader].dataset.pipeline
                   if t['type'] == 'TopdownAffine']
        assert len(affines) == 1, loader
        assert tuple(affines[0]['input_size']) == (w, h), loader
        assert affines[0].get('use_udp', False) == (arm == 'udp'), loader
    # ground-truth boxes, no flip test
    assert cfg.val_dataloader.dataset.bbox_file is None
    assert cfg.test_dataloader.dataset.bbox_file is None
    assert cfg.model.test_cfg.get('flip_test', False) is False
    assert cfg.val_dataloader.dataset.data_root.startswith(str(tmp_path))
    assert [e['type'] for e in cfg.val_evaluator] == [
        'CocoMetric', 'PCKAccuracy', 'EPE']
    assert cfg.val_evaluator[1]['thr'] == 0.2
    assert cfg.val_evaluator[1]['norm_item'] == 'bbox'
    # the schedule: 2,000 iterations of batch 8, evaluated at 1,000 and
    # 2,000, a checkpoint every 500 to resume from
    assert cfg.train_cfg == dict(by_epoch=False, max_iters=2000,
                                 val_interval=1000)
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.default_hooks.checkpoint.interval == 500
    assert cfg.default_hooks.checkpoint.by_epoch is False
    assert cfg.default_hooks.checkpoint.max_keep_ckpts == 1
    assert cfg.default_hooks.logger.interval == 50
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=3e-3)
    assert cfg.param_scheduler[-1]['T_max'] == 2000
