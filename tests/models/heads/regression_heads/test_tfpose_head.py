"""TFPoseHead: losses against MMPose's loss modules, the aux branch, flip
test, the readout from the auxiliary heatmaps, and the training graph of
the whole model."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData, PixelData
from mmpose.codecs import UDPHeatmap
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

import mmpose_ext  # noqa: F401
from tests.helpers import REPO
from tests.helpers.tfpose_head import (B, C, CODEC, INPUT, K,
                                       tfpose_features,
                                       tiny_tfpose_head)

TINY_CFG = str(REPO / 'configs/tfpose/tfpose_res18-tiny_coco-tiny-128x96.py')
FLIP_INDICES = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]


def _samples(seed=0):
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(B):
        s = PoseDataSample(metainfo=dict(
            input_size=INPUT, flip_indices=FLIP_INDICES))
        s.gt_instance_labels = InstanceData(
            keypoint_labels=torch.tensor(
                rng.uniform(0.05, 0.95, (1, K, 2)), dtype=torch.float32),
            keypoint_weights=torch.tensor(
                (rng.uniform(size=(1, K)) > 0.3).astype(np.float32)),
            heatmap_weights=torch.tensor(
                (rng.uniform(size=(1, K)) > 0.3).astype(np.float32)))
        s.gt_fields = PixelData(heatmaps=torch.tensor(
            rng.uniform(size=(K, 32, 24)), dtype=torch.float32))
        samples.append(s)
    return samples


def test_forward_shape_and_range():
    coords = tiny_tfpose_head()(tfpose_features())
    assert coords.shape == (B, K, 2)
    assert ((coords > 0) & (coords < 1)).all()


def test_each_crop_is_decoded_on_its_own():
    # the position table is made once per call and shared by the crops:
    # a crop's result must not depend on the others in its batch
    head = tiny_tfpose_head().eval()
    feats = tfpose_features()
    with torch.no_grad():
        together = head(feats)
        alone = torch.cat([head([f[i:i + 1] for f in feats])
                           for i in range(B)])
    torch.testing.assert_close(together, alone, atol=1e-6, rtol=0)


def test_losses_equal_host_formulas():
    """loss_reg_dec{d}: MMPose's L1Loss with target weights, on every
    decoder layer; loss_aux: 50 x weighted MSE on heatmaps decoded from the
    C5 tokens of the memory."""
    head = tiny_tfpose_head()
    feats, samples = tfpose_features(), _samples()
    losses = head.loss(feats, samples)
    assert set(losses) == {'loss_reg_dec1', 'loss_reg_dec2', 'loss_aux',
                           'acc_pose'}
    coords, memory = head.forward_all_layers(feats)
    labels = torch.cat([s.gt_instance_labels.keypoint_labels for s in samples])
    w = torch.cat([s.gt_instance_labels.keypoint_weights for s in samples])
    for d in range(2):
        expected = (coords[d] * w[..., None] - labels * w[..., None]).abs(
        ).mean()
        torch.testing.assert_close(losses[f'loss_reg_dec{d + 1}'], expected)
    # the C5 tokens are the last 4x3 of the memory, row-major
    c5 = memory[:, -12:].reshape(B, 4, 3, C).permute(0, 3, 1, 2)
    torch.testing.assert_close(head.level_map(memory, feats, 2), c5)
    heatmaps = head.aux_head.forward((c5, ))
    gt = torch.stack([s.gt_fields.heatmaps for s in samples])
    hw = torch.cat([s.gt_instance_labels.heatmap_weights for s in samples])
    expected = 50 * (F.mse_loss(heatmaps, gt, reduction='none') *
                     hw[..., None, None]).mean()
    torch.testing.assert_close(losses['loss_aux'], expected)


def test_aux_branch_not_in_inference():
    head = tiny_tfpose_head()
    calls = []
    head.aux_head.register_forward_hook(lambda *args: calls.append(1))
    head.predict(tfpose_features(), _samples(), test_cfg=dict(flip_test=False))
    head.predict([tfpose_features(), tfpose_features(1)], _samples(),
                 test_cfg=dict(flip_test=True))
    assert calls == []
    head.loss(tfpose_features(), _samples())
    assert calls == [1]
    assert 'loss_aux' not in tiny_tfpose_head(aux_head=None).loss(
        tfpose_features(), _samples())


def test_predict_decodes_and_flips():
    head = tiny_tfpose_head()
    feats, feats_flip = tfpose_features(0), tfpose_features(1)
    samples = _samples()
    coords = head(feats).detach().numpy()
    coords_flip = head(feats_flip).detach().numpy()
    w, h = INPUT
    plain = head.predict(feats, samples, test_cfg=dict(flip_test=False))
    np.testing.assert_allclose(plain[0].keypoints[0], coords[0] * [w, h],
                               rtol=1e-5)
    np.testing.assert_array_equal(plain[0].keypoint_scores, np.ones((1, K)))
    # the mirror's x is 1 - x - 1/w (pixel x -> w - 1 - x), left <-> right
    mirrored = coords_flip[:, FLIP_INDICES].copy()
    mirrored[..., 0] = 1 - mirrored[..., 0] - 1 / w
    flipped = head.predict([feats, feats_flip], samples,
                           test_cfg=dict(flip_test=True, shift_coords=True))
    np.testing.assert_allclose(flipped[1].keypoints[0],
                               (coords[1] + mirrored[1]) / 2 * [w, h],
                               rtol=1e-5)


def test_readout_aux_heatmaps_is_their_udp_decode():
    head = tiny_tfpose_head()
    feats, feats_flip = tfpose_features(0), tfpose_features(1)
    samples = _samples()
    w, h = INPUT
    # MMPose's UDPHeatmap with the tiny codec's heatmap settings
    udp = UDPHeatmap(input_size=INPUT, heatmap_size=(24, 32), sigma=1.)

    def udp_coords(f):
        with torch.no_grad():
            heatmaps = head.aux_heatmaps(head.encode(f)[0], f).numpy()
        # UDPHeatmap decodes to x_heatmap * w / (W - 1); the targets were
        # encoded at (w - 1) / (W - 1): (B, K, 2) input pixels, normalized
        keypoints = np.concatenate([udp.decode(m)[0] for m in heatmaps])
        return keypoints * [(w - 1) / w, (h - 1) / h] / [w, h]

    coords = udp_coords(feats)
    plain = head.predict(
        feats, samples, test_cfg=dict(flip_test=False, readout='aux_heatmaps'))
    for i in range(B):
        np.testing.assert_allclose(plain[i].keypoints[0], coords[i] * [w, h],
                                   rtol=1e-5)
        np.testing.assert_array_equal(plain[i].keypoint_scores,
                                      np.ones((1, K)))
    # flip test: the mean with the mirror's decode flipped back, as for the
    # regression (pixel x -> w - 1 - x, left <-> right)
    mirrored = udp_coords(feats_flip)[:, FLIP_INDICES]
    mirrored[..., 0] = 1 - mirrored[..., 0] - 1 / w
    flipped = head.predict([feats, feats_flip], samples,
                           test_cfg=dict(flip_test=True, shift_coords=True,
                                         readout='aux_heatmaps'))
    np.testing.assert_allclose(flipped[1].keypoints[0],
                               (coords[1] + mirrored[1]) / 2 * [w, h],
                               rtol=1e-5)


@pytest.mark.parametrize('heatmap_type', ['UDPHeatmap', 'UDPCodec'])
# stride 4 (the paper's heatmaps) and 8 (the C3 tokens' own: the
# tfpose_aux_head experiment's stride8 arm)
@pytest.mark.parametrize('stride', [4, 8])
def test_readout_of_encoded_targets_is_their_keypoint_labels(
        monkeypatch, heatmap_type, stride):
    # the codec's own targets fed in as the auxiliary heatmaps must read back
    # the regression labels the same codec encodes
    w, h = INPUT
    codec = dict(CODEC, heatmap=dict(
        CODEC['heatmap'], type=heatmap_type,
        heatmap_size=(w // stride, h // stride)))
    head = tiny_tfpose_head(decoder=codec)
    rng = np.random.default_rng(0)
    # 3 heatmap pixels (3 x stride input pixels) inside the input's borders:
    # nearer, the Gaussian is cut by the border and UDPHeatmap's blurred
    # Taylor step misses by pixels whatever the scale. (70, 100) was read
    # back as (70.74, 100.79) at UDP's decoding scale.
    margin = 3 * stride
    keypoints = rng.uniform(margin, [w - 1 - margin, h - 1 - margin],
                            (B, 1, K, 2))
    keypoints[0, 0, 0] = (70, 100)
    encoded = [head.decoder.encode(kp) for kp in keypoints]
    heatmaps = torch.as_tensor(np.stack([e['heatmaps'] for e in encoded]))
    assert heatmaps.shape == (B, K, h // stride, w // stride)
    monkeypatch.setattr(head, 'aux_heatmaps', lambda memory, feats: heatmaps)

    coords = head.aux_heatmap_coords(tfpose_features()).numpy()
    labels = np.concatenate([e['keypoint_labels'] for e in encoded])
    np.testing.assert_allclose(coords, labels, rtol=0, atol=1e-3)
    np.testing.assert_allclose(coords[0, 0] * [w, h], (70, 100), atol=0.02)


def test_readout_aux_size_mismatch_is_explained():
    # C3 (16 x 12) through the branch's x8 gives 128 x 96, not the codec's
    # 32 x 24 heatmaps: decoding them would misplace every keypoint x4
    head = tiny_tfpose_head(aux_level=0)
    with pytest.raises(ValueError,
                       match=r'TFPoseHead: the auxiliary branch predicts '
                       r'heatmaps of size \(128, 96\).*heatmap_size is '
                       r'\(24, 32\).*last level must be C5'):
        head.predict(tfpose_features(), _samples(),
                     test_cfg=dict(flip_test=False, readout='aux_heatmaps'))


def test_readout_regression_is_the_default():
    head = tiny_tfpose_head()
    feats, samples = tfpose_features(), _samples()
    default = head.predict(feats, samples, test_cfg=dict(flip_test=False))
    named = head.predict(feats, samples,
                         test_cfg=dict(flip_test=False, readout='regression'))
    w, h = INPUT
    regression = head(feats).detach().numpy() * [w, h]
    for i in range(B):
        np.testing.assert_array_equal(named[i].keypoints, default[i].keypoints)
        np.testing.assert_allclose(default[i].keypoints[0], regression[i],
                                   rtol=1e-5)


@pytest.mark.parametrize('case, kwargs, readout, match', [
    ('unknown readout', {}, 'heatmaps',
     r"readout must be one of \('regression', 'aux_heatmaps'\), got "
     "'heatmaps'"),
    ('no aux branch', dict(aux_head=None), 'aux_heatmaps',
     'built with aux_head=None'),
    ('no heatmap codec', dict(decoder=dict(type='RegressionLabel',
                                           input_size=INPUT)),
     'aux_heatmaps', 'decoder with a heatmap codec'),
])
def test_readout_errors(case, kwargs, readout, match):
    head = tiny_tfpose_head(**kwargs)
    with pytest.raises(ValueError, match=f'TFPoseHead.*{match}'):
        head.predict(tfpose_features(), _samples(),
                     test_cfg=dict(flip_test=False, readout=readout))


@pytest.mark.parametrize('case, kwargs, feats, match', [
    ('levels', {}, lambda: tfpose_features()[:2],
     'num_feature_levels=3 but got 2 feature maps'),
    ('channels', {}, lambda: [f[:, :16] for f in tfpose_features()],
     'feature level 0 has 16 channels, expected embed_dims=32'),
    ('no encoder', dict(num_encoder_layers=0), None,
     'num_encoder_layers must be at least 1'),
    ('odd dims', dict(embed_dims=31), None, 'embed_dims must be even'),
])
def test_clear_errors(case, kwargs, feats, match):
    with pytest.raises(ValueError, match=f'TFPoseHead.*{match}'):
        head = tiny_tfpose_head(**kwargs)
        head(feats())


def test_aux_target_size_mismatch_is_explained():
    head = tiny_tfpose_head()
    samples = _samples()
    for s in samples:
        s.gt_fields = PixelData(heatmaps=torch.zeros(K, 16, 12))
    with pytest.raises(ValueError, match='last level must be C5'):
        head.loss(tfpose_features(), samples)


def test_every_parameter_gets_a_gradient():
    """Through the whole model (tiny config): backbone, neck, Q, its
    position, y_0, level embedding, encoder, decoder, aux branch.

    At step 0 some gradients are zero by design of the initializations
    (zero-initialized refinement MLPs, sampling-offset and attention-weight
    projections, last BN of each ResNet block), so one AdamW step is taken
    first, as in training; then every parameter must get a non-zero,
    finite gradient."""
    init_default_scope('mmpose')
    cfg = Config.fromfile(TINY_CFG)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    w, h = INPUT
    images = torch.randn(B, 3, h, w, generator=torch.Generator().manual_seed(0))
    samples = _samples()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    for _ in range(2):
        optimizer.zero_grad()
        losses = model.loss(images, samples)
        total = sum(v for k, v in losses.items() if 'loss' in k)
        assert torch.isfinite(total)
        total.backward()
        optimizer.step()
    no_grad = [n for n, p in model.named_parameters()
               if p.grad is None or not torch.isfinite(p.grad).all() or
               p.grad.abs().max() == 0]
    assert no_grad == []


def test_training_graph_has_no_in_place_change_of_a_view():
    """An in-place op on a view (MMCV's FFN ReLU on the Linear's output)
    makes autograd copy the whole base tensor in the backward
    (``CopySlices``): the head's graph must have none (FFN_ACTIVATION)."""
    head = tiny_tfpose_head().train()
    coords, memory = head.forward_all_layers(
        [f.requires_grad_() for f in tfpose_features()])
    seen, stack, kinds = set(), [coords.grad_fn, memory.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        kinds.add(type(fn).__name__)
        stack.extend(next_fn for next_fn, _ in fn.next_functions)
    assert 'AddmmBackward0' in kinds  # the walk reached the FFNs
    assert 'CopySlices' not in kinds


@pytest.mark.parametrize('sampling', ['kernel', 'gather'])
def test_cpu_sampling_gives_the_same_losses_and_gradients(sampling):
    """cpu_sampling replaces every MMCV deformable attention (encoder and
    decoder) by the module that samples with the compiled kernel or one
    gather: same state dict, same losses and gradients as MMCV's
    grid_sample path (1e-5)."""
    from mmcv.ops import MultiScaleDeformableAttention

    from mmpose_ext.models.layers import CPUDeformableAttention
    ref = tiny_tfpose_head(cpu_sampling=None).train()
    ours = tiny_tfpose_head(cpu_sampling=sampling).train()
    kinds = [type(m) for m in ours.modules()
             if isinstance(m, MultiScaleDeformableAttention)]
    assert kinds and set(kinds) == {CPUDeformableAttention}
    assert {m.sampling for m in ours.modules()
            if isinstance(m, CPUDeformableAttention)} == {sampling}
    assert {type(m) for m in ref.modules()
            if isinstance(m, MultiScaleDeformableAttention)} == {
                MultiScaleDeformableAttention}
    ours.load_state_dict(ref.state_dict())
    results = []
    for head in (ref, ours):
        feats = [f.requires_grad_() for f in tfpose_features(seed=3)]
        losses = head.loss(feats, _samples(seed=3))
        total = sum(v for k, v in losses.items() if 'loss' in k)
        total.backward()
        results.append((losses, [f.grad for f in feats],
                        {n: p.grad for n, p in head.named_parameters()}))
    (l0, f0, p0), (l1, f1, p1) = results
    for key in l0:
        torch.testing.assert_close(l1[key], l0[key], atol=1e-5, rtol=0)
    for a, b in zip(f1, f0):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)
    for name, grad in p0.items():
        if grad is not None:
            torch.testing.assert_close(p1[name], grad, atol=1e-5, rtol=1e-4,
                                       msg=name)


@pytest.mark.parametrize('init', ['center', 'mean'])
def test_initial_coords(init):
    """y_0 starts at the crop centre or at given coordinates (a mean pose),
    and every layer returns it while the refinement MLPs are zero."""
    rng = np.random.default_rng(0)
    target = (np.full((K, 2), 0.5) if init == 'center' else
              rng.uniform(0.1, 0.9, (K, 2)))
    head = tiny_tfpose_head(initial_coords='center' if init == 'center'
                            else target.tolist())
    coords = head(tfpose_features())
    torch.testing.assert_close(
        coords, torch.tensor(target, dtype=torch.float32).expand(B, K, 2),
        atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match='initial_coords'):
        tiny_tfpose_head(initial_coords='mean')
    with pytest.raises(ValueError, match='inside'):
        tiny_tfpose_head(initial_coords=[[0.5, 1.5]] * K)


def test_aux_branch_on_a_finer_level():
    """aux_level=0: the auxiliary branch (one x2 deconvolution) reads the
    first level's tokens (C3, the first 16x12 of the memory, row-major);
    the loss is 50 x weighted MSE on its heatmaps."""
    head = tiny_tfpose_head(aux_level=0, aux_head=dict(
        type='HeatmapHead', deconv_out_channels=(16, ),
        deconv_kernel_sizes=(4, ),
        loss=dict(type='KeypointMSELoss', use_target_weight=True,
                  loss_weight=50.)))
    feats, samples = tfpose_features(), _samples()
    losses = head.loss(feats, samples)
    _, memory = head.forward_all_layers(feats)
    c3 = memory[:, :16 * 12].reshape(B, 16, 12, C).permute(0, 3, 1, 2)
    torch.testing.assert_close(head.level_map(memory, feats, 0), c3)
    c5 = memory[:, -4 * 3:].reshape(B, 4, 3, C).permute(0, 3, 1, 2)
    torch.testing.assert_close(head.level_map(memory, feats, 2), c5)
    heatmaps = head.aux_head.forward((c3, ))
    torch.testing.assert_close(head.aux_heatmaps(memory, feats), heatmaps)
    gt = torch.stack([s.gt_fields.heatmaps for s in samples])
    hw = torch.cat([s.gt_instance_labels.heatmap_weights for s in samples])
    expected = 50 * (F.mse_loss(heatmaps, gt, reduction='none') *
                     hw[..., None, None]).mean()
    torch.testing.assert_close(losses['loss_aux'], expected)
    with pytest.raises(ValueError, match='aux_level must index one of the 3'):
        tiny_tfpose_head(aux_level=3)


def _legacy_names(state_dict):
    """``state_dict`` as saved before the query decoder was renamed:
    ``head.query_decoder.*`` keys called ``head.keypoint_decoder.*``."""
    new, old = 'head.query_decoder.', 'head.keypoint_decoder.'
    return {(old + k[len(new):] if k.startswith(new) else k): v
            for k, v in state_dict.items()}


def test_legacy_keypoint_decoder_checkpoint_loads(tmp_path):
    """A whole-model state dict with the former ``head.keypoint_decoder.*``
    keys loads strictly, through torch and through MMEngine's checkpoint
    loader (the Runner's ``load_from``, ``init_model``), and the model then
    holds the same weights and predicts the same coordinates."""
    from mmengine.runner import load_checkpoint

    init_default_scope('mmpose')
    cfg = Config.fromfile(TINY_CFG)
    torch.manual_seed(0)
    saved = MODELS.build(cfg.model)
    saved.init_weights()
    # move every weight off its initialization (the refinement MLPs start
    # at zero), so that a decoder left unloaded changes the output
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in saved.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.05)
    saved.eval()
    legacy = _legacy_names(saved.state_dict())
    num_decoder_keys = sum(k.startswith('head.query_decoder.')
                           for k in saved.state_dict())
    assert num_decoder_keys > 0
    assert sum(k.startswith('head.keypoint_decoder.')
               for k in legacy) == num_decoder_keys
    ckpt = tmp_path / 'legacy.pth'
    torch.save(dict(state_dict=legacy), ckpt)

    w, h = INPUT
    images = torch.randn(B, 3, h, w, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = saved(images, None, mode='tensor')

    def fresh():
        torch.manual_seed(3)
        model = MODELS.build(cfg.model)
        model.init_weights()
        return model.eval()

    with torch.no_grad():
        assert not torch.allclose(fresh()(images, None, mode='tensor'),
                                  expected, atol=1e-3)
    by_torch = fresh()
    result = by_torch.load_state_dict(legacy, strict=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    by_mmengine = fresh()
    load_checkpoint(by_mmengine, str(ckpt), map_location='cpu', strict=True)
    for model in (by_torch, by_mmengine):
        loaded = model.state_dict()
        assert loaded.keys() == saved.state_dict().keys()
        for key, value in saved.state_dict().items():
            assert torch.equal(loaded[key], value), key
        with torch.no_grad():
            torch.testing.assert_close(model(images, None, mode='tensor'),
                                       expected, rtol=0, atol=0)


def test_legacy_key_beside_its_new_name_is_refused():
    """A state dict holding a weight under both names is not silently
    resolved: the legacy key stays and the strict load names it."""
    head = tiny_tfpose_head()
    state = head.state_dict()
    key = next(k for k in state if k.startswith('query_decoder.'))
    state['keypoint_decoder.' + key[len('query_decoder.'):]] = state[key]
    with pytest.raises(RuntimeError, match='Unexpected key.*keypoint_decoder'):
        tiny_tfpose_head().load_state_dict(state, strict=True)
