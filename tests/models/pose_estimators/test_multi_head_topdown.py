"""MultiHeadTopdownPoseEstimator: every sample reaches only its dataset's
head, each head predicts its dataset's keypoints with its flip pairs, heads
are picked by name, and single-dataset checkpoints go in and out."""
import copy

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.codecs import UDPHeatmap
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

import mmpose_ext  # noqa: F401
from mmpose_ext.checkpoints import (export_single_head_checkpoint,
                                    load_single_dataset_checkpoint,
                                    safe_torch_load,
                                    vitpose_checkpoint_to_official)
from tests.helpers.mmpose_configs import dataset_info_file

INPUT = (48, 64)  # w, h
HEATMAP = (12, 16)
CODEC = dict(type='UDPHeatmap', input_size=INPUT, heatmap_size=HEATMAP,
             sigma=2)
META = {
    name: parse_pose_metainfo(dict(from_file=dataset_info_file(name)))
    for name in ('coco', 'aic', 'mpii')
}
NUM_KEYPOINTS = {'coco': 17, 'aic': 14, 'mpii': 16}


def head_cfg(k, in_channels=32):
    return dict(type='HeatmapHead', in_channels=in_channels, out_channels=k,
                deconv_out_channels=(16, 16), deconv_kernel_sizes=(4, 4),
                loss=dict(type='KeypointMSELoss', use_target_weight=True),
                decoder=CODEC)


BACKBONE = dict(type='PlainViT', arch=dict(
    embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=64),
    img_size=INPUT[::-1], patch_size=16, patch_padding=2)


# any MMPose backbone: a ResNet-18 (512 channels at 1/32; two 4x4
# deconvolutions give 1/8, so the heads read 1/8 features of a 128x96 input)
RESNET = dict(type='ResNet', depth=18)


def build(flip_test=True, backbone=BACKBONE, in_channels=32,
          loss_weighting='sample', datasets=('coco', 'aic'), **test_cfg):
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='MultiHeadTopdownPoseEstimator', backbone=backbone,
        heads={name: head_cfg(NUM_KEYPOINTS[name], in_channels)
               for name in datasets},
        loss_weighting=loss_weighting,
        test_cfg=dict(flip_test=flip_test, flip_mode='heatmap',
                      shift_heatmap=False, **test_cfg)))
    model.init_weights()
    return model


def sample(name, rng, dataset_name=None):
    """A packed training/test sample of dataset ``name`` with targets
    encoded by MMPose's UDPHeatmap."""
    k = NUM_KEYPOINTS[name]
    meta = META[name]
    kpts = rng.uniform([4, 4], [INPUT[0] - 4, INPUT[1] - 4], (1, k, 2))
    vis = (rng.uniform(size=(1, k)) > 0.2).astype(np.float32)
    enc = UDPHeatmap(input_size=INPUT, heatmap_size=HEATMAP,
                     sigma=2).encode(kpts, vis)
    s = PoseDataSample(metainfo=dict(
        dataset_name=dataset_name or meta['dataset_name'],
        flip_indices=meta['flip_indices'], input_size=INPUT,
        input_center=np.array([30., 40.]), input_scale=np.array([60., 80.])))
    s.gt_fields = PixelData(heatmaps=torch.from_numpy(enc['heatmaps']))
    s.gt_instance_labels = InstanceData(
        keypoint_weights=torch.from_numpy(enc['keypoint_weights']))
    s.gt_instances = InstanceData(
        bboxes=np.array([[0., 0., 60., 80.]]), bbox_scores=np.ones(1),
        keypoints=kpts, keypoints_visible=vis)
    return s


def batch(names, seed=0):
    rng = np.random.default_rng(seed)
    inputs = torch.from_numpy(rng.normal(size=(len(names), 3, INPUT[1],
                                               INPUT[0])).astype(np.float32))
    return inputs, [sample(n, rng) for n in names]


def grads(module):
    return {k: None if p.grad is None else p.grad.clone()
            for k, p in module.named_parameters()}


def nonzero(g):
    return g is not None and bool(g.abs().sum() > 0)


@pytest.mark.parametrize('backbone,in_channels,scale', [
    (BACKBONE, 32, 1), (RESNET, 512, 2)])
def test_one_dataset_batch_reaches_only_its_head(backbone, in_channels,
                                                 scale):
    model = build(backbone=backbone, in_channels=in_channels)
    inputs, samples = batch(['coco'] * 4)
    if scale > 1:  # the ResNet's 1/32 features need a larger crop
        inputs = torch.nn.functional.interpolate(inputs, scale_factor=scale)
    losses = model.loss(inputs, samples)
    assert set(losses) == {'coco/loss_kpt', 'coco/acc_pose'}
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    for g in grads(model.heads['aic']).values():
        assert g is None or not g.any()
    assert all(nonzero(g) for g in grads(model.heads['coco']).values())
    first = next(model.backbone.parameters())
    assert nonzero(first.grad)


def test_mixed_batch_is_the_sum_of_each_head_on_its_own_samples():
    model = build(loss_weighting='head_mean')
    names = ['coco', 'aic', 'aic', 'coco', 'aic']
    inputs, samples = batch(names)
    losses = model.loss(inputs, samples)
    assert set(losses) == {'coco/loss_kpt', 'coco/acc_pose', 'aic/loss_kpt',
                           'aic/acc_pose'}
    feats = model.extract_feat(inputs)
    for name in ('coco', 'aic'):
        rows = [i for i, n in enumerate(names) if n == name]
        ref = model.heads[name].loss(
            tuple(f[rows] for f in feats), [samples[i] for i in rows])
        torch.testing.assert_close(losses[f'{name}/loss_kpt'],
                                   ref['loss_kpt'], rtol=1e-6, atol=0)
    # both heads touched: both get gradients, and an AdamW step moves both
    optim = torch.optim.AdamW(model.parameters(), lr=1e-3)
    before = copy.deepcopy(model.heads.state_dict())
    (losses['coco/loss_kpt'] + losses['aic/loss_kpt']).backward()
    for name in ('coco', 'aic'):
        assert all(nonzero(g) for g in grads(model.heads[name]).values())
    optim.step()
    after = model.heads.state_dict()
    for name in ('coco', 'aic'):
        w = f'{name}.final_layer.weight'
        assert not torch.equal(before[w], after[w])


def _total_loss(losses):
    return sum(v for k, v in losses.items() if 'loss' in k)


@pytest.mark.parametrize('weighting', ['sample', 'head_mean'])
def test_every_sample_counts_alike_with_per_sample_weighting(weighting):
    """3 COCO-format samples and 1 MPII sample: with ``'sample'`` (the
    official multi-task code's weighting) the total loss is the mean of the
    four samples' own losses, so the MPII sample weighs as much as one COCO
    sample; with ``'head_mean'`` it weighs as much as the three together."""
    model = build(loss_weighting=weighting, datasets=('coco', 'mpii'),
                  flip_test=False)
    model.eval()  # BN on running statistics: a sample's loss is its own
    names = ['coco', 'mpii', 'coco', 'coco']
    inputs, samples = batch(names)
    total = _total_loss(model.loss(inputs, samples))
    alone = torch.stack([
        _total_loss(model.loss(inputs[i:i + 1], [samples[i]]))
        for i in range(len(names))])  # (4,) each sample's own loss
    coco = torch.tensor([n == 'coco' for n in names])
    if weighting == 'sample':
        expected = alone.mean()
    else:
        expected = alone[coco].mean() + alone[~coco].sum()
    torch.testing.assert_close(total, expected, rtol=1e-5, atol=0)
    # the two weightings differ on this batch (the test can tell them apart)
    assert not torch.allclose(alone.mean(),
                              alone[coco].mean() + alone[~coco].sum())
    # accuracies are statistics and stay unweighted
    losses = model.loss(inputs, samples)
    ref = model.heads['mpii'].loss(
        tuple(f[[1]] for f in model.extract_feat(inputs)), [samples[1]])
    torch.testing.assert_close(losses['mpii/acc_pose'], ref['acc_pose'])


def test_init_weights_initialises_every_head_as_a_single_head_model():
    """Each head gets its own init_cfg (HeatmapHead: normal std 0.001, zero
    bias; BN weight 1) as in MMPose's TopdownPoseEstimator, not PyTorch's
    default initialisation: a multi-dataset run and its single-dataset
    baseline start their heads alike."""
    model = build()
    for name, head in model.heads.items():
        single = MODELS.build(dict(
            type='TopdownPoseEstimator', backbone=BACKBONE,
            head=head_cfg(NUM_KEYPOINTS[name])))
        single.init_weights()
        for (key, p), (_, q) in zip(head.named_parameters(),
                                    single.head.named_parameters()):
            assert p.shape == q.shape, key
            if key.endswith('bias') or p.dim() == 1:
                torch.testing.assert_close(p, q, msg=key)
            else:  # drawn from the same normal, std 0.001
                assert abs(float(p.std()) - float(q.std())) < 2e-4, key


def test_an_unknown_loss_weighting_is_refused():
    with pytest.raises(ValueError, match="loss_weighting must be one of"):
        build(loss_weighting='mean')


def test_a_sample_changes_only_its_own_heads_gradient():
    """Changing the targets of the COCO samples of a mixed batch leaves the
    AIC head's gradient bitwise unchanged (and changes the COCO head's)."""
    names = ['coco', 'aic', 'coco', 'aic']
    inputs, samples = batch(names)
    runs = []
    for shift in (0.0, 0.5):
        model = build()
        for s, n in zip(samples, names):
            if n == 'coco':
                s.gt_fields.heatmaps = s.gt_fields.heatmaps.roll(1, -1) \
                    if shift else s.gt_fields.heatmaps
        losses = model.loss(inputs, samples)
        (losses['coco/loss_kpt'] + losses['aic/loss_kpt']).backward()
        runs.append({n: grads(model.heads[n]) for n in ('coco', 'aic')})
    for k, g in runs[0]['aic'].items():
        assert torch.equal(g, runs[1]['aic'][k]), k
    assert not torch.equal(runs[0]['coco']['final_layer.weight'],
                           runs[1]['coco']['final_layer.weight'])


@pytest.mark.parametrize('flip_test', [False, True])
def test_each_head_predicts_its_datasets_keypoints_and_flip_pairs(flip_test):
    model = build(flip_test=flip_test).eval()
    names = ['aic', 'coco', 'aic']
    inputs, samples = batch(names, seed=1)
    with torch.no_grad():
        out = model.predict(inputs, copy.deepcopy(samples))
        feats = model.extract_feat(inputs)
        feats_flip = model.extract_feat(inputs.flip(-1))
    for name in ('coco', 'aic'):
        rows = [i for i, n in enumerate(names) if n == name]
        index = torch.tensor(rows)
        # the head alone on its rows, flip test with this dataset's pairs
        # (rows taken as the model does: the decoding's log amplifies the
        # last-bit differences of another memory layout)
        head = model.heads[name]
        with torch.no_grad():
            heatmaps = head.forward(
                tuple(f.index_select(0, index) for f in feats))
            if flip_test:
                raw_flip = head.forward(
                    tuple(f.index_select(0, index) for f in feats_flip))
                heatmaps = (heatmaps + flip_heatmaps(
                    raw_flip, flip_indices=META[name]['flip_indices'],
                    shift_heatmap=False)) * 0.5
        refs = head.decode(heatmaps)
        for i, ref in zip(rows, refs):
            pred = out[i].pred_instances
            assert pred.keypoints.shape == (1, NUM_KEYPOINTS[name], 2)
            assert pred.keypoint_scores.shape == (1, NUM_KEYPOINTS[name])
            meta = samples[i].metainfo
            kpts = ref.keypoints / np.array(INPUT) * meta['input_scale'] + \
                meta['input_center'] - 0.5 * meta['input_scale']
            np.testing.assert_allclose(pred.keypoints, kpts, rtol=0,
                                       atol=1e-4)
            np.testing.assert_allclose(pred.keypoint_scores,
                                       ref.keypoint_scores, rtol=0,
                                       atol=1e-6)
        if flip_test and name == 'aic':
            # other pairs (COCO's would not even fit) give other heatmaps:
            # the comparison above can fail
            other = flip_heatmaps(raw_flip, flip_indices=list(range(14)))
            assert not torch.allclose(
                other, flip_heatmaps(
                    raw_flip, flip_indices=META['aic']['flip_indices']))


def test_an_unknown_dataset_name_is_refused_listing_the_heads():
    model = build()
    inputs, samples = batch(['coco', 'aic'])
    samples[1].set_metainfo(dict(dataset_name='mpii'))
    with pytest.raises(KeyError, match=r"no head for dataset 'mpii'.*"
                       r"known heads: 'coco', 'aic'"):
        model.loss(inputs, samples)
    with pytest.raises(KeyError, match="known heads: 'coco', 'aic'"):
        model.eval().predict(inputs, samples)
    with pytest.raises(KeyError, match="no head for test_cfg.head 'crowd"):
        build(head='crowdpose')
    with pytest.raises(KeyError, match="known heads: 'coco', 'aic'"):
        model.select_head('mpii')


def test_a_keypoint_count_that_does_not_fit_the_head_names_the_dataset():
    model = build().eval()
    inputs, samples = batch(['aic', 'aic'])
    model.select_head('coco')  # AIC samples (14 keypoints) to the COCO head
    with pytest.raises(ValueError, match=r"dataset 'aic' has 14 keypoints "
                       r"but head 'coco' predicts 17"):
        model.predict(inputs, samples)


def test_selected_head_for_tensor_mode_and_inference():
    model = build(flip_test=False).eval()
    inputs, samples = batch(['coco', 'aic'])
    with pytest.raises(ValueError, match='set model.test_cfg.head'):
        model._forward(inputs)
    model.select_head('aic')
    assert model._forward(inputs).shape == (2, 14, HEATMAP[1], HEATMAP[0])
    # samples without a dataset name use the selected head
    for s in samples:
        s.set_metainfo(dict(flip_indices=META['aic']['flip_indices']))
        del s.dataset_name
    out = model.predict(inputs, samples)
    assert out[0].pred_instances.keypoints.shape == (1, 14, 2)


def single_model(k):
    torch.manual_seed(1)
    model = MODELS.build(dict(
        type='TopdownPoseEstimator', backbone=BACKBONE, head=head_cfg(k),
        test_cfg=dict(flip_test=True)))
    model.init_weights()
    return model


@pytest.mark.parametrize('layout', ['mmengine', 'official'])
def test_single_dataset_checkpoint_initialises_backbone_and_head(
        tmp_path, layout):
    single = single_model(14)
    state = single.state_dict()
    if layout == 'official':
        state = vitpose_checkpoint_to_official(state)
    torch.save({'state_dict': state}, tmp_path / 'single.pth')
    model = build()
    coco_before = copy.deepcopy(model.heads['coco'].state_dict())
    load_single_dataset_checkpoint(model, str(tmp_path / 'single.pth'), 'aic')
    for k, v in single.backbone.state_dict().items():
        torch.testing.assert_close(model.backbone.state_dict()[k], v,
                                   rtol=0, atol=0)
    for k, v in single.head.state_dict().items():
        assert torch.equal(model.heads['aic'].state_dict()[k], v), k
    for k, v in coco_before.items():
        assert torch.equal(model.heads['coco'].state_dict()[k], v), k
    # through the config: init_from after the usual initialisation
    cfg_model = MODELS.build(dict(
        type='MultiHeadTopdownPoseEstimator', backbone=BACKBONE,
        heads=dict(coco=head_cfg(17), aic=head_cfg(14)),
        init_from=dict(checkpoint=str(tmp_path / 'single.pth'), head='aic')))
    cfg_model.init_weights()
    for k, v in single.head.state_dict().items():
        assert torch.equal(cfg_model.heads['aic'].state_dict()[k], v), k


def test_a_checkpoint_with_another_keypoint_count_is_refused(tmp_path):
    torch.save({'state_dict': single_model(17).state_dict()},
               tmp_path / 'coco17.pth')
    with pytest.raises(ValueError, match=r"head 'aic'.*shape mismatch.*"
                       r'final_layer'):
        load_single_dataset_checkpoint(build(), str(tmp_path / 'coco17.pth'),
                                       'aic')
    with pytest.raises(KeyError, match="known heads: 'coco', 'aic'"):
        load_single_dataset_checkpoint(build(), str(tmp_path / 'coco17.pth'),
                                       'mpii')


@pytest.mark.parametrize('name', ['coco', 'aic'])
def test_exported_head_predicts_as_the_multi_head_model(tmp_path, name):
    model = build().eval()
    torch.save({'state_dict': model.state_dict(), 'meta': {}},
               tmp_path / 'multi.pth')
    out = export_single_head_checkpoint(
        str(tmp_path / 'multi.pth'), name, str(tmp_path / 'single.pth'),
        dataset_meta=META[name])
    assert out['meta']['dataset_meta']['dataset_name'] == name
    single = single_model(NUM_KEYPOINTS[name]).eval()
    loaded = safe_torch_load(str(tmp_path / 'single.pth'))
    single.load_state_dict(loaded['state_dict'], strict=True)
    inputs, samples = batch([name] * 3, seed=2)
    with torch.no_grad():
        a = model.predict(inputs, copy.deepcopy(samples))
        b = single.predict(inputs, copy.deepcopy(samples))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.pred_instances.keypoints,
                                      y.pred_instances.keypoints)
        np.testing.assert_array_equal(x.pred_instances.keypoint_scores,
                                      y.pred_instances.keypoint_scores)
    with pytest.raises(KeyError, match="no head 'mpii'.*'coco', 'aic'"):
        export_single_head_checkpoint(str(tmp_path / 'multi.pth'), 'mpii',
                                      str(tmp_path / 'x.pth'))


@pytest.mark.parametrize('heads,match', [
    ({}, 'non-empty dict'),
    (dict(coco=head_cfg(17), **{'a.b': head_cfg(14)}), "'a.b'"),
])
def test_bad_heads_are_refused(heads, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(dict(type='MultiHeadTopdownPoseEstimator',
                          backbone=BACKBONE, heads=heads))
