"""The multi-dataset ViTPose configs: a head per dataset, named as the
datasets, one codec, one metric per dataset; one head of them as a plain
single-dataset config; the arms of vitpose_multi_dataset (the quickstart
ViTPose on COCO alone against COCO + AIC heads) differ only in the AIC head
and data, and the coco-aic model takes a loss step."""
from types import SimpleNamespace

import pytest
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


# ------------------------------------------- vitpose_multi_dataset (item 5)
# The quickstart ViTPose (p8w192) fine-tuned from the experiment's own MAE
# run on the first 400 COCO-format crops alone against the same backbone
# with a COCO-format and an AIC-format head, 8 + 8 crops per batch of 16;
# 1,000 iterations, evaluated every 250.
MULTI_EXPERIMENT = 'vitpose_multi_dataset'
MULTI_ARMS = ['coco-only', 'coco-aic']


def multi_arm_cfg(arm):
    from mmpose_ext.tools import experiment as ex
    spec = ex.load_spec(MULTI_EXPERIMENT)
    return Config.fromfile(f'{ex.REPO}/{ex.arm_config(spec, arm)}')


def test_multi_dataset_experiment_spec():
    from mmpose_ext.tools import experiment as ex
    spec = ex.load_spec(MULTI_EXPERIMENT)
    assert list(spec['arms']) == ['mae'] + MULTI_ARMS
    assert spec['seeds'] == [0, 1]
    assert spec['metrics'] == ['coco/AP', 'coco/AP .5', 'coco/AR']
    assert spec['baseline'] == 'coco-only'
    assert spec['data'] == ['synthetic', 'synthetic_aic', 'synthetic_mae']
    assert set(spec['claims']) == {'coco-aic'}
    assert spec['claims']['coco-aic']['min_baseline'] == 0.04


def test_multi_dataset_mae_is_vitpose_mae_pretraining():
    """The experiment's `mae` arm resolves to vitpose_mae's pre-training
    config, and is a config file of its own, so the runner trains it here
    (a record copied from vitpose_mae would leave no checkpoint)."""
    from mmpose_ext.tools import experiment as ex
    spec = ex.load_spec(MULTI_EXPERIMENT)
    mae = ex.load_spec('vitpose_mae')
    ours = Config.fromfile(f'{ex.REPO}/{ex.arm_config(spec, "mae")}')
    theirs = Config.fromfile(f'{ex.REPO}/{ex.arm_config(mae, "mae")}')
    assert ours.to_dict() == theirs.to_dict()
    assert spec['arm_specs']['mae']['metrics'] == []
    # the same resolved config and seed as vitpose_mae's recorded run, yet
    # that record is not taken for this arm's, under any runner settings
    import json
    for seed in spec['seeds']:
        with open(ex.record_path(mae, 'mae', seed)) as f:
            rec = json.load(f)
        digest = ex.arm_digest(spec, 'mae', seed)
        assert digest == rec['config_sha256']
        for jobs in (1, 2):
            args = SimpleNamespace(threads=rec['threads'], jobs=jobs,
                                   data_workers=rec['data_workers'])
            found = ex.find_same_run(ex.arm_config(spec, 'mae'), digest,
                                     seed, args)
            # nothing, or this arm's own record once it has run
            assert found in (None, ex.record_path(spec, 'mae', seed))


@pytest.mark.parametrize('arm', MULTI_ARMS)
def test_multi_dataset_arms_schedule(arm):
    cfg = multi_arm_cfg(arm)
    assert cfg.train_cfg.max_iters == 1000
    assert cfg.train_cfg.val_interval == 250
    assert cfg.default_hooks.checkpoint.interval == 250
    assert cfg.default_hooks.checkpoint.max_keep_ckpts == 1
    warmup, cosine = cfg.param_scheduler
    assert (warmup.type, warmup.begin, warmup.end) == ('LinearLR', 0, 40)
    assert (cosine.type, cosine.end, cosine.T_max) == (
        'CosineAnnealingLR', 1000, 1000)
    # from the experiment's MAE run of the same seed, the quickstart's
    # backbone (patch 8, width 192, 6 layers)
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    from mmpose_ext.tools import experiment as ex
    assert ex.load_spec(MULTI_EXPERIMENT)['arm_specs'][arm]['inputs'] == {
        'model.backbone.init_cfg.checkpoint': 'mae'}
    assert cfg.model.backbone.patch_size == 8
    assert cfg.model.backbone.arch.embed_dims == 192
    assert cfg.model.backbone.arch.num_layers == 6


def test_multi_dataset_arms_share_all_but_the_aic_head_and_data():
    only = multi_arm_cfg('coco-only')
    assert only.model.type == 'TopdownPoseEstimator'
    assert only.train_dataloader.batch_size == 16
    assert only.train_dataloader.dataset.indices == 400
    assert only.val_evaluator.type == 'CocoMetric'
    # the val split is whole (only training is cut)
    assert 'indices' not in only.val_dataloader.dataset
    for arm, weighting in (('coco-aic', 'sample'), ):
        multi = multi_arm_cfg(arm)
        assert multi.model.type == 'MultiHeadTopdownPoseEstimator'
        assert multi.model.loss_weighting == weighting
        assert multi.model.backbone == only.model.backbone
        assert multi.model.data_preprocessor == only.model.data_preprocessor
        assert multi.model.test_cfg == only.model.test_cfg
        assert list(multi.model.heads) == ['coco', 'aic']
        assert multi.model.heads.coco == only.model.head
        assert multi.model.heads.aic == dict(only.model.head,
                                             out_channels=14)
        for key in ('optim_wrapper', 'param_scheduler', 'train_cfg',
                    'default_hooks'):
            assert multi[key] == only[key], key
        assert [h for h in multi.custom_hooks
                if h.type != 'MultiDatasetHeadsHook'] == only.custom_hooks
        # the COCO part of the batch draws from the baseline's 400 crops;
        # the AIC part from the whole AIC-format set
        train = multi.train_dataloader
        names = [dataset_name_of(d) for d in train.dataset.datasets]
        assert names == ['coco', 'aic']
        assert train.dataset.datasets[0] == only.train_dataloader.dataset
        assert 'indices' not in train.dataset.datasets[1]
        assert train.batch_size == train.sampler.batch_size == 16
        assert train.sampler.type == 'MultiSourceSampler'
        assert list(train.sampler.source_ratio) == [8, 8]
        # the same evaluation of the COCO head (and aic/* beside it)
        ev = multi.val_evaluator
        assert ev.type == 'MultiDatasetEvaluator'
        assert [dataset_name_of(d) for d in ev.datasets] == names
        assert [(m.type, m.prefix) for m in ev.metrics] == [
            ('CocoMetric', 'coco'), ('CocoMetric', 'aic')]
        assert ev.metrics[0].ann_file == only.val_evaluator.ann_file
        assert multi.val_dataloader.dataset.datasets[0] == \
            only.val_dataloader.dataset
        assert only.val_dataloader.dataset.bbox_file.endswith(
            'person_detection_results/person_detections_val.json')
        assert multi.val_dataloader.dataset.datasets[1].bbox_file.endswith(
            'person_detection_results/person_detections_val.json')


def test_coco_aic_batch_holds_8_coco_crops():
    """MMPose's MultiSourceSampler with the arm's settings on a combined
    dataset of 50 COCO-format and 70 AIC-format samples: every batch of 16
    holds 8 of each."""
    from mmpose.datasets import CombinedDataset
    from mmpose.registry import DATA_SAMPLERS
    train = multi_arm_cfg('coco-aic').train_dataloader
    combined = CombinedDataset.__new__(CombinedDataset)
    combined.datasets = [list(range(50)), list(range(70))]
    combined._lens = [50, 70]
    combined._len = 120
    sampler = DATA_SAMPLERS.build(dict(train.sampler, dataset=combined,
                                       seed=0))
    indices = list(sampler)
    assert len(indices) == 8 * 16  # ceil(120 / 16) batches
    for i in range(0, len(indices), train.batch_size):
        batch = indices[i:i + train.batch_size]
        assert sum(j < 50 for j in batch) == 8
        assert sum(j >= 50 for j in batch) == 8


def _crop_sample(name, rng, codec):
    """A packed 128x96 training crop of dataset ``name`` (coco: 17, aic: 14
    keypoints) with its UDP targets, as the training pipeline packs it."""
    import numpy as np
    import torch
    from mmengine.structures import InstanceData, PixelData
    from mmpose.codecs import UDPHeatmap
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.structures import PoseDataSample

    from tests.helpers.mmpose_configs import dataset_info_file
    meta = parse_pose_metainfo(dict(from_file=dataset_info_file(name)))
    w, h = codec.input_size
    k = meta['num_keypoints']
    kpts = rng.uniform([4, 4], [w - 4, h - 4], (1, k, 2))
    vis = np.ones((1, k), np.float32)
    enc = UDPHeatmap(input_size=codec.input_size,
                     heatmap_size=codec.heatmap_size,
                     sigma=codec.sigma).encode(kpts, vis)
    s = PoseDataSample(metainfo=dict(
        dataset_name=meta['dataset_name'], flip_indices=meta['flip_indices'],
        input_size=codec.input_size))
    s.gt_fields = PixelData(heatmaps=torch.from_numpy(enc['heatmaps']))
    s.gt_instance_labels = InstanceData(
        keypoint_weights=torch.from_numpy(enc['keypoint_weights']))
    return s


def test_coco_aic_model_takes_a_loss_step(mmpose_scope):
    """The coco-aic arm's model and optimizer on a fake mixed batch of 2
    COCO-format and 2 AIC-format crops: one loss per head, the official
    weighting halves each head's mean (2 of 4 crops each), and one AdamW
    step with layer decay moves the backbone and both heads."""
    import numpy as np
    import torch
    from mmengine.optim import build_optim_wrapper
    from mmpose.registry import MODELS

    import mmpose.engine.optim_wrappers.layer_decay_optim_wrapper  # noqa
    cfg = multi_arm_cfg('coco-aic')
    # the arm starts from vitpose_mae's MAE run, which the runner gives; the
    # step does not depend on the start
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    rng = np.random.default_rng(0)
    names = ['coco', 'aic', 'coco', 'aic']
    codec = cfg.model.heads.coco.decoder
    samples = [_crop_sample(n, rng, codec) for n in names]
    inputs = torch.randn(len(names), 3, codec.input_size[1],
                         codec.input_size[0])
    losses = model.loss(inputs, samples)
    assert set(losses) == {'coco/loss_kpt', 'coco/acc_pose', 'aic/loss_kpt',
                           'aic/acc_pose'}
    model.loss_weighting = 'head_mean'
    with torch.no_grad():
        means = model.loss(inputs, samples)
    model.loss_weighting = 'sample'
    for name in ('coco', 'aic'):
        torch.testing.assert_close(losses[f'{name}/loss_kpt'],
                                   means[f'{name}/loss_kpt'] / 2)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    optim.update_params(sum(v for k, v in losses.items() if 'loss' in k))
    moved = {k for k, v in model.named_parameters()
             if not torch.equal(v, before[k])}
    for prefix in ('backbone.layers.0.', 'heads.coco.', 'heads.aic.'):
        assert any(k.startswith(prefix) for k in moved), prefix
