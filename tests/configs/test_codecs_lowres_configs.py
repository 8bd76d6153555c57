"""The configs of benchmarks/codecs_lowres.py: for every size and codec the
model's output has the shape its codec decodes, and the data pipeline
encodes the codec's targets (UDP with the UDP affine)."""
import importlib.util
import os
import os.path as osp

import pytest
import torch
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
spec = importlib.util.spec_from_file_location(
    'codecs_lowres', osp.join(REPO, 'benchmarks', 'codecs_lowres.py'))
codecs_lowres = importlib.util.module_from_spec(spec)
spec.loader.exec_module(codecs_lowres)


@pytest.mark.parametrize('size', list(codecs_lowres.SIZES))
@pytest.mark.parametrize('codec', codecs_lowres.CODECS)
def test_model_output_matches_codec(size, codec, tmp_path):
    register_all_modules()
    import mmpose_ext  # noqa: F401  (registers our codecs)
    cfg = codecs_lowres.build_config(size, codec, 0, 10, 2, str(tmp_path),
                                     str(tmp_path / 'work'))
    w, h = codecs_lowres.SIZES[size]
    codec_cfg = cfg.model.head.decoder
    assert tuple(codec_cfg['input_size']) == (w, h)
    built = KEYPOINT_CODECS.build(codec_cfg)
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        out = model._forward(torch.zeros(1, 3, h, w))
    if codec.startswith('simdr'):
        assert out[0].shape[-1] == built.vector_lengths[0]
        assert out[1].shape[-1] == built.vector_lengths[1]
    else:
        assert tuple(out.shape[-2:]) == tuple(built.heatmap_size[::-1])
        # the decoder takes the head's output
        if built.support_batch_decoding:
            built.batch_decode(out)
        else:  # MMPose's MSRAHeatmap: per instance
            built.decode(out[0].numpy())
    affines = [t for t in cfg.train_dataloader.dataset.pipeline
               if t['type'] == 'TopdownAffine']
    assert affines[0]['use_udp'] == (codec == 'udp')
    assert cfg.val_dataloader.dataset.bbox_file is None  # ground truth boxes


def test_build_config_leaves_the_environment_as_it_was(tmp_path, monkeypatch):
    monkeypatch.delenv('MMPOSE_EXT_SYNTHETIC', raising=False)
    cfg = codecs_lowres.build_config('64x48', 'dark', 0, 10, 2,
                                     str(tmp_path), str(tmp_path / 'work'))
    assert cfg.train_dataloader.dataset.data_root.startswith(str(tmp_path))
    assert 'MMPOSE_EXT_SYNTHETIC' not in os.environ
