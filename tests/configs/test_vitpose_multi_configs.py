"""The multi-dataset ViTPose configs: a head per dataset, named as the
datasets, one codec, one metric per dataset; one head of them as a plain
single-dataset config."""
from mmengine.config import Config

import mmpose_ext  # noqa: F401
from mmpose_ext.apis.single_head import dataset_name_of, single_head_config
from tests.helpers import REPO

B_MULTI = f'{REPO}/configs/vitpose_b_multi.py'
TINY = (f'{REPO}/configs/vitpose/'
        'td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py')


def test_vitpose_b_on_coco_aic_mpii():
    cfg = Config.fromfile(B_MULTI)
    model = cfg.model
    assert model.type == 'MultiHeadTopdownPoseEstimator'
    assert dict(model.backbone.arch) == dict(
        embed_dims=768, num_layers=12, num_heads=12, feedforward_channels=3072)
    assert {k: h.out_channels for k, h in model.heads.items()} == dict(
        coco=17, aic=14, mpii=16)
    for head in model.heads.values():
        assert head.decoder == cfg.codec
        assert tuple(head.deconv_out_channels) == (256, 256)
    train = cfg.train_dataloader
    names = [dataset_name_of(d) for d in train.dataset.datasets]
    assert names == ['coco', 'aic', 'mpii']
    for d in train.dataset.datasets:
        (target, ) = [t for t in d.pipeline if t.type == 'GenerateTarget']
        assert target.encoder == cfg.codec
    assert train.sampler.type == 'MultiSourceSampler'
    assert train.sampler.batch_size == train.batch_size == 64
    assert sum(train.sampler.source_ratio) == 64
    ev = cfg.val_evaluator
    assert ev.type == 'MultiDatasetEvaluator'
    assert [dataset_name_of(d) for d in ev.datasets] == names
    assert [(m.type, m.prefix) for m in ev.metrics] == [
        ('CocoMetric', 'coco'), ('CocoMetric', 'aic'),
        ('MpiiPCKAccuracy', 'mpii')]
    assert {h.type for h in cfg.custom_hooks} >= {'MultiDatasetHeadsHook'}


def test_one_head_as_a_plain_config():
    cfg = Config.fromfile(B_MULTI)
    mpii = single_head_config(cfg, 'mpii')
    assert mpii.model.type == 'TopdownPoseEstimator'
    assert mpii.model.head.out_channels == 16
    assert 'head' not in mpii.model.test_cfg
    assert mpii.test_dataloader.dataset.type == 'MpiiDataset'
    assert mpii.train_dataloader.sampler.type == 'DefaultSampler'
    assert mpii.test_evaluator.type == 'MpiiPCKAccuracy'
    assert mpii.dataset_type == 'MpiiDataset'
    assert 'MultiDatasetHeadsHook' not in {h.type for h in mpii.custom_hooks}


def test_tiny_config_heads_fit_its_datasets():
    cfg = Config.fromfile(TINY)
    names = [dataset_name_of(d)
             for d in cfg.train_dataloader.dataset.datasets]
    assert names == list(cfg.model.heads) == ['coco', 'aic']
    assert [dataset_name_of(d) for d in cfg.val_evaluator.datasets] == names


TINY_MPII = (f'{REPO}/configs/vitpose/'
             'td-hm_vitpose-tiny-multi_synthetic-coco-aic-mpii-128x96.py')
R18_MULTI = (f'{REPO}/configs/simplebaseline/'
             'td-hm_res18-multi_synthetic-coco-aic-128x96.py')
R18_COCO = (f'{REPO}/configs/simplebaseline/'
            'td-hm_res18_synthetic-coco-128x96.py')


def test_tiny_coco_aic_mpii_config():
    cfg = Config.fromfile(TINY_MPII)
    train = cfg.train_dataloader
    names = [dataset_name_of(d) for d in train.dataset.datasets]
    assert names == list(cfg.model.heads) == ['coco', 'aic', 'mpii']
    assert {k: h.out_channels for k, h in cfg.model.heads.items()} == dict(
        coco=17, aic=14, mpii=16)
    for head in cfg.model.heads.values():
        assert head.decoder == cfg.codec
    assert train.sampler.batch_size == train.batch_size == 24
    assert list(train.sampler.source_ratio) == [1, 1, 1]
    ev = cfg.val_evaluator
    assert [dataset_name_of(d) for d in ev.datasets] == names
    assert [(m.type, m.prefix) for m in ev.metrics] == [
        ('CocoMetric', 'coco'), ('CocoMetric', 'aic'),
        ('MpiiPCKAccuracy', 'mpii')]
    (mpii_val, ) = [d for d in cfg.val_dataloader.dataset.datasets
                    if d.type == 'MpiiDataset']
    assert mpii_val.headbox_file.endswith('annotations/mpii_gt_val.mat')


def test_resnet18_pair_differs_only_in_the_aic_head_and_data():
    multi, coco = Config.fromfile(R18_MULTI), Config.fromfile(R18_COCO)
    assert multi.model.type == 'MultiHeadTopdownPoseEstimator'
    assert coco.model.type == 'TopdownPoseEstimator'
    assert multi.model.backbone == coco.model.backbone == dict(
        type='ResNet', depth=18)
    assert list(multi.model.heads) == ['coco', 'aic']
    assert multi.model.heads.coco == coco.model.head
    assert coco.model.head.in_channels == 512
    assert multi.optim_wrapper == coco.optim_wrapper
    assert multi.param_scheduler == coco.param_scheduler
    assert multi.train_cfg == coco.train_cfg
    # the same 8 COCO crops per batch (the multi batch adds 8 AIC crops)
    assert multi.train_dataloader.sampler.source_ratio == [1, 1]
    assert multi.train_dataloader.batch_size == 16
    assert coco.train_dataloader.batch_size == 8
    assert multi.train_dataloader.dataset.datasets[0] == \
        coco.train_dataloader.dataset
