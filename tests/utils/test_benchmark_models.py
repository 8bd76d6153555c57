"""Models of configs as the benchmarks see them: the tensor-in wrapper gives
the estimator's own inference-graph outputs, in eval mode, without
pretrained weights, with the head overrides applied; the training-step
benchmarks' model comes in training mode with a real batch, the same weights
for the same seed and the options merged into its config."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmpose_ext.utils.benchmark_models import (SIMPLEBASELINE_R50,
                                               TensorForward,
                                               build_for_training,
                                               build_model, input_shape)
from tests.helpers import REPO

SB_R18 = str(REPO / 'configs/simplebaseline/td-hm_res18_synthetic-128x96.py')
TFPOSE_TINY = str(REPO /
                  'configs/tfpose/tfpose_res18-tiny_coco-tiny-128x96.py')


def _images(h=128, w=96):
    return torch.randn(2, 3, h, w, generator=torch.Generator().manual_seed(0))


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out, )


@pytest.mark.parametrize('config', [SB_R18, TFPOSE_TINY],
                         ids=['simplebaseline', 'tfpose'])
def test_forward_is_the_estimators_tensor_mode(config):
    wrapper = build_model(config)
    assert isinstance(wrapper, TensorForward)
    assert not any(m.training for m in wrapper.modules())
    images = _images(*input_shape(config))
    with torch.no_grad():
        ours = _as_tuple(wrapper(images))
        direct = _as_tuple(wrapper.model._forward(images))
        # the host's own entry point for raw outputs
        host = _as_tuple(wrapper.model(images, None, mode='tensor'))
    assert len(ours) == len(direct) == len(host)
    for a, b, c in zip(ours, direct, host):
        assert torch.equal(a, b)
        assert torch.equal(a, c)


def test_no_pretrained_weights():
    cfg = Config.fromfile(SIMPLEBASELINE_R50)
    # the config asks for torchvision's weights: dropped by build_model
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    assert build_model(SIMPLEBASELINE_R50).model.backbone.init_cfg is None


def test_head_overrides():
    default = build_model(TFPOSE_TINY).model.head
    assert len(default.encoder.layers) == 1
    assert default.num_feature_levels == 3
    head = build_model(
        TFPOSE_TINY, num_encoder_layers=2, backbone_out_indices=(2, 3),
        neck_in_channels=[256, 512]).model
    assert len(head.head.encoder.layers) == 2
    assert head.head.num_feature_levels == 2
    assert head.backbone.out_indices == (2, 3)
    # the two levels run through the model
    h, w = input_shape(TFPOSE_TINY)
    with torch.no_grad():
        out = TensorForward(head).eval()(_images(h, w))
    assert all(torch.isfinite(t).all() for t in _as_tuple(out))


@pytest.mark.parametrize('overrides', [
    dict(backbone_out_indices=(2, 3)),
    dict(neck_in_channels=[256, 512]),
])
def test_feature_levels_need_both_keys(overrides):
    with pytest.raises(ValueError, match='build_model: backbone_out_indices '
                       'and neck_in_channels go together'):
        build_model(TFPOSE_TINY, **overrides)


def test_building_leaves_the_default_scope_alone():
    assert DefaultScope.get_current_instance() is None
    build_model(SB_R18)
    assert DefaultScope.get_current_instance() is None


@pytest.mark.parametrize('config, shape', [
    (SB_R18, (128, 96)),
    (SIMPLEBASELINE_R50, (256, 192)),
    (str(REPO / 'configs/tfpose/tfpose_res50-enc6_8xb32-210e_coco-384x288.py'),
     (384, 288)),
])
def test_input_shape_is_height_then_width(config, shape):
    assert input_shape(config) == shape
    w, h = Config.fromfile(config).codec['input_size']
    assert (h, w) == shape


def test_simplebaseline_r50_is_mmposes_config():
    assert osp.isfile(SIMPLEBASELINE_R50)
    cfg = Config.fromfile(SIMPLEBASELINE_R50)
    assert cfg.model.backbone.type == 'ResNet'
    assert cfg.model.backbone.depth == 50
    assert cfg.model.head.type == 'HeatmapHead'


def test_build_for_training_gives_the_model_and_a_real_batch():
    model, cfg, batch = build_for_training(
        TFPOSE_TINY, {'model.head.aux_head.deconv_kernel_sizes': (2, 2, 2)})
    assert all(m.training for m in model.modules())
    # the option merged into the config, the rest of aux_head kept
    deconv = model.head.aux_head.deconv_layers[0]
    assert deconv.kernel_size == (2, 2)
    assert cfg.model.head.aux_head.type == 'HeatmapHead'
    size = cfg.train_dataloader.batch_size
    assert len(batch['inputs']) == len(batch['data_samples']) == size
    assert tuple(batch['inputs'][0].shape[-2:]) == input_shape(TFPOSE_TINY)
    # a train step runs on it
    wrapper_losses = model.train_step(batch, _sgd(model))
    assert all(torch.isfinite(v) for v in wrapper_losses.values())


def test_build_for_training_same_seed_same_weights():
    a = build_for_training(TFPOSE_TINY)[0].state_dict()
    b = build_for_training(TFPOSE_TINY)[0].state_dict()
    c = build_for_training(TFPOSE_TINY, seed=1)[0].state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def _sgd(model):
    from mmengine.optim import OptimWrapper
    return OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3))
