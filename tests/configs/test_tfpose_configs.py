"""The TFPose configs agree with themselves and with the paper's settings
(read only: building the ResNet-50 models is left to the benchmarks)."""
from pathlib import Path

import pytest
from mmengine.config import Config

ROOT = Path(__file__).resolve().parents[2]
RESNET_CHANNELS = (256, 512, 1024, 2048)
# short name -> (depth, out_indices, N_E, input (w, h))
REAL = {
    'tfpose_r50': (50, (1, 2, 3), 4, (192, 256)),
    'tfpose_r50_enc6': (50, (1, 2, 3), 6, (192, 256)),
    'tfpose_r50_384x288': (50, (1, 2, 3), 6, (288, 384)),
    'tfpose_r18': (18, (1, 2, 3), 6, (192, 256)),
}
ALL = sorted(str(p.relative_to(ROOT)) for p in
             (ROOT / 'configs/tfpose').glob('*.py'))


def _levels_agree(cfg):
    model = cfg.model
    width = 1 if model.backbone.depth < 50 else 4
    expected = [RESNET_CHANNELS[i] // 4 * width
                for i in model.backbone.out_indices]
    assert list(model.neck.in_channels) == expected
    assert model.head.num_feature_levels == len(model.backbone.out_indices)
    assert model.backbone.out_indices[-1] == 3  # C5 last: the aux branch
    w, h = cfg.codec['input_size']
    assert tuple(cfg.codec['heatmap']['heatmap_size']) == (w // 4, h // 4)
    assert model.head.decoder == cfg.codec
    # the auxiliary branch's x2 deconvolutions take its level (C3 stride 8
    # ... C5 stride 32) to the heatmaps' stride 4
    if model.head.get('aux_head') is not None:
        level = model.head.get('aux_level', -1)
        stride = 2**(model.backbone.out_indices[level] + 2)
        deconvs = len(model.head.aux_head.get('deconv_out_channels',
                                              (256, 256, 256)))
        assert 2**deconvs == stride // 4


@pytest.mark.parametrize('path', ALL)
def test_every_config_is_consistent(path):
    _levels_agree(Config.fromfile(str(ROOT / path)))


@pytest.mark.parametrize('name', sorted(REAL))
def test_real_configs_follow_the_paper(name):
    cfg = Config.fromfile(str(ROOT / f'configs/{name}.py'))
    depth, out_indices, n_e, input_size = REAL[name]
    backbone = cfg.model.backbone
    assert (backbone.depth, tuple(backbone.out_indices)) == (depth,
                                                             out_indices)
    assert backbone.init_cfg == dict(
        type='Pretrained', checkpoint=f'torchvision://resnet{depth}')
    assert cfg.model.head.num_encoder_layers == n_e
    assert cfg.model.head.num_decoder_layers == 6
    assert tuple(cfg.codec['input_size']) == input_size
    assert cfg.codec['heatmap']['type'] == 'UDPCodec'
    assert cfg.model.head.aux_head.loss.loss_weight == 50.
    assert cfg.model.head.get('aux_level', -1) == -1  # the C5 tokens
    opt = cfg.optim_wrapper
    assert opt.optimizer.type == 'AdamW'
    assert tuple(opt.optimizer.betas) == (0.9, 0.999)
    assert opt.optimizer.weight_decay == 1e-4
    assert {k: v['lr_mult'] for k, v in opt.paramwise_cfg.custom_keys.items()
            } == {'head.encoder': 0.1, 'head.query_decoder': 0.1,
                  'head.level_embed': 0.1}
    assert cfg.param_scheduler[-1].type == 'CosineAnnealingLR'
    transforms = {t['type']: t for t in cfg.train_dataloader.dataset.pipeline}
    assert {'RandomFlip', 'RandomHalfBody'} <= set(transforms)
    assert transforms['RandomBBoxTransform']['rotate_factor'] == 40.
    assert tuple(transforms['RandomBBoxTransform']['scale_factor']) == (0.7,
                                                                        1.3)
    assert 'CheckInvalidLossTermHook' in [h['type'] for h in cfg.custom_hooks]


def test_test_configs_download_nothing():
    for path in ALL:
        cfg = Config.fromfile(str(ROOT / path))
        if ('coco-256x192' in path or 'coco-384x288' in path
                or 'mpii-256x256' in path):
            continue
        assert cfg.model.backbone.get('init_cfg') is None, path
