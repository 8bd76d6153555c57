"""SimDRHead: the CNN path is MMPose's SimCCHead (oracle), plus the token
path, training and flip-test prediction through SimCCHead's methods."""
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.structures import PoseDataSample

import mmpose_ext  # noqa: F401

INPUT = (48, 64)
CODEC = dict(type='SimDRLabel', input_size=INPUT, sigma=2.0)


def build(**kwargs):
    cfg = dict(type='SimDRHead', in_channels=16, out_channels=17,
               input_size=INPUT, decoder=CODEC)
    cfg.update(kwargs)
    return MODELS.build(cfg)


@pytest.mark.parametrize('deconv', [None, (8, 8)])
def test_cnn_path_is_simcc_head(deconv):
    torch.manual_seed(0)
    featmap = (6, 8) if deconv is None else (3, 2)
    ours = build(in_featuremap_size=featmap, deconv_out_channels=deconv,
                 deconv_kernel_sizes=(4, 4))
    ref = MODELS.build(
        dict(type='SimCCHead', in_channels=16, out_channels=17,
             input_size=INPUT, in_featuremap_size=featmap,
             deconv_out_channels=deconv, deconv_kernel_sizes=(4, 4),
             decoder=dict(type='SimCCLabel', input_size=INPUT)))
    ours.init_weights()
    ref.load_state_dict(ours.state_dict())
    feats = (torch.rand(2, 16, featmap[1], featmap[0]), )
    for a, b in zip(ours(feats), ref(feats)):
        torch.testing.assert_close(a, b)
    assert ours(feats)[0].shape == (2, 17, 96)


def test_token_path_projects_each_token_and_trains():
    torch.manual_seed(0)
    head = build(final_layer=None)
    tokens = torch.rand(3, 17, 16)
    x, y = head(tokens)
    assert x.shape == (3, 17, 96) and y.shape == (3, 17, 128)
    # per token: keypoint 5's logits depend on token 5 only
    expected = head.mlp_head_x(tokens[:, 5])
    torch.testing.assert_close(x[:, 5], expected)
    (x.square().mean() + y.square().mean()).backward()
    for name, p in head.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def _samples(batch):
    enc_codec = KEYPOINT_CODECS.build(CODEC)
    rng = np.random.default_rng(0)
    samples = []
    for _ in range(batch):
        kps = rng.uniform((2, 2), (46, 62), (1, 17, 2)).astype(np.float32)
        enc = enc_codec.encode(kps)
        s = PoseDataSample(metainfo=dict(flip_indices=list(range(17))))
        s.gt_instance_labels = InstanceData(
            **{k: torch.from_numpy(v) for k, v in enc.items()})
        samples.append(s)
    return samples


@pytest.mark.parametrize('token_input', [False, True])
def test_loss_and_flip_test_predict(token_input):
    torch.manual_seed(0)
    if token_input:
        head = build(final_layer=None)
        feats = (torch.rand(2, 17, 16), )
    else:
        head = build(in_featuremap_size=(6, 8))
        feats = (torch.rand(2, 16, 8, 6), )
    samples = _samples(2)
    losses = head.loss(feats, samples)
    assert set(losses) == {'loss_kpt', 'acc_pose'}
    assert torch.isfinite(losses['loss_kpt'])
    preds = head.predict([feats, feats], samples, test_cfg=dict(
        flip_test=True))
    assert len(preds) == 2 and preds[0].keypoints.shape == (1, 17, 2)
    assert np.isfinite(preds[0].keypoints).all()


def test_one_hot_labels_with_cross_entropy():
    head = build(in_featuremap_size=(6, 8),
                 loss=dict(type='SimDRCrossEntropyLoss'),
                 decoder=dict(CODEC, label_type='one-hot'))
    codec = KEYPOINT_CODECS.build(dict(CODEC, label_type='one-hot'))
    kps = np.array([[[10.0, 20.0]] * 17], np.float32)
    enc = codec.encode(kps)
    s = PoseDataSample(metainfo=dict(flip_indices=list(range(17))))
    s.gt_instance_labels = InstanceData(
        **{k: torch.from_numpy(v) for k, v in enc.items()})
    loss = head.loss((torch.rand(1, 16, 8, 6), ), [s])['loss_kpt']
    # near-uniform initial logits: CE ~ log(96) + log(128)
    assert loss.item() == pytest.approx(np.log(96) + np.log(128), rel=0.05)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match='SimDRHead: token input'):
        build()  # tokens with the default 1x1 conv
    head = build(in_featuremap_size=(6, 8))
    with pytest.raises(ValueError, match='feature map is 12x16'):
        head((torch.rand(1, 16, 16, 12), ))
    head = build(final_layer=None)
    with pytest.raises(ValueError, match=r'expected keypoint tokens'):
        head(torch.rand(1, 16, 17))
    with pytest.raises(ValueError, match='simcc_split_ratio'):
        build(final_layer=None, simcc_split_ratio=0.5)
