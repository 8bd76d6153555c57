"""Layer-wise lr decay for PlainViT through MMPose's
LayerDecayOptimWrapperConstructor (our parameter names are the ones it
expects): layer i (0-based) gets base * decay ** (depth - i)."""
import pytest
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

import mmpose.engine.optim_wrappers.layer_decay_optim_wrapper  # noqa: F401
import mmpose_ext  # noqa: F401  (registers the ViTPose modules)
from mmpose.registry import MODELS
from tests.helpers import REPO

TINY_CONFIG = str(REPO / 'configs/vitpose/'
                  'td-hm_vitpose-tiny_coco-tiny-128x96.py')


@pytest.fixture(scope='module')
def groups():
    cfg = Config.fromfile(TINY_CONFIG)
    # the data preprocessor and the optimizer constructor are MMPose's,
    # built through MMEngine's root registries
    with DefaultScope.overwrite_default_scope('mmpose'):
        model = MODELS.build(cfg.model)
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    out = {}
    for group in optim.optimizer.param_groups:
        for p in group['params']:
            out[names[id(p)]] = (group['lr'], group['weight_decay'])
    return cfg, model, out


def test_every_parameter_gets_the_decayed_lr(groups):
    cfg, model, lrs = groups
    base = cfg.optim_wrapper.optimizer.lr
    decay = cfg.optim_wrapper.paramwise_cfg.layer_decay_rate
    depth = model.backbone.num_layers
    assert depth == cfg.optim_wrapper.paramwise_cfg.num_layers == 2
    assert set(lrs) == {n for n, _ in model.named_parameters()}
    for name, (lr, _) in lrs.items():
        if name.startswith('backbone.layers.'):
            layer_id = int(name.split('.')[2])
            expected = base * decay**(depth - layer_id)
        elif name.startswith(('backbone.patch_embed', 'backbone.pos_embed')):
            expected = base * decay**(depth + 1)
        else:  # last_norm and the head
            expected = base
        assert lr == pytest.approx(expected, rel=1e-12), name


def test_no_weight_decay_on_biases_norms_and_positions(groups):
    cfg, model, lrs = groups
    wd = cfg.optim_wrapper.optimizer.weight_decay
    params = dict(model.named_parameters())
    for name, (_, decay) in lrs.items():
        # 1-D tensors are biases (also the qkv bias, ``in_proj_bias``, as
        # ``qkv.bias`` in the official code) and norm scales
        plain = params[name].dim() == 1 or name == 'backbone.pos_embed'
        assert decay == (0. if plain else wd), name
    assert lrs['backbone.layers.0.attn.attn.in_proj_bias'][1] == 0.
    assert lrs['backbone.layers.0.attn.attn.in_proj_weight'][1] == wd
