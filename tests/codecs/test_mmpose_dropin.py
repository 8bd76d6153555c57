"""Our codecs are drop-ins for MMPose's: MMPose's own configs, with only
``type=`` changed, build our codec, which encodes and decodes as MMPose's
does wherever MMPose is not off; ``guarded_decoding=False`` and
``zero_weight_outside=False`` restore MMPose's behaviour there too."""
import os.path as osp

import mmpose
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.registry import KEYPOINT_CODECS

from mmpose_ext.codecs import DARKHeatmap, SimDRLabel, UDPCodec

CONFIGS = osp.join(osp.dirname(mmpose.__file__), '.mim', 'configs')
OURS = dict(SimCCLabel=SimDRLabel, MSRAHeatmap=DARKHeatmap,
            UDPHeatmap=UDPCodec)
# (MMPose config, what it exercises)
MMPOSE_CONFIGS = [
    ('body_2d_keypoint/simcc/coco/simcc_res50_8xb64-210e_coco-256x192.py',
     'SimCC, sigma 6'),
    ('body_2d_keypoint/rtmpose/coco/rtmpose-m_8xb256-420e_coco-256x192.py',
     'RTMPose: sigma (4.9, 5.66), normalize=False, use_dark=False'),
    ('wholebody_2d_keypoint/rtmpose/cocktail14/'
     'rtmw-l_8xb320-270e_cocktail14-384x288.py',
     'RTMW: decode_visibility=True'),
    ('body_2d_keypoint/topdown_heatmap/coco/'
     'td-hm_res50_dark-8xb64-210e_coco-256x192.py', 'DARK, sigma 2'),
    ('body_2d_keypoint/topdown_heatmap/coco/'
     'td-hm_res50_dark-8xb64-210e_coco-384x288.py', 'DARK, sigma 3'),
    ('face_2d_keypoint/topdown_heatmap/wflw/'
     'td-hm_hrnetv2-w18_dark-8xb64-60e_wflw-256x256.py', 'DARK, square'),
    ('body_2d_keypoint/topdown_heatmap/coco/'
     'td-hm_hrnet-w32_udp-8xb64-210e_coco-256x192.py', 'UDP Gaussian'),
    ('body_2d_keypoint/topdown_heatmap/coco/'
     'td-hm_hrnet-w32_udp-regress-8xb64-210e_coco-256x192.py',
     'UDP combined'),
]


def codec_pair(config, **ours_options):
    """MMPose's codec of an MMPose config and ours built from the same dict
    with only ``type`` changed."""
    cfg = Config.fromfile(osp.join(CONFIGS, config))
    codec = cfg.model.head.decoder.to_dict()
    ours_cfg = dict(codec, type=OURS[codec['type']].__name__, **ours_options)
    ours = KEYPOINT_CODECS.build(ours_cfg)
    assert type(ours) is OURS[codec['type']]
    return KEYPOINT_CODECS.build(codec), ours


def network_outputs(ref, keypoints, rng):
    """MMPose's targets of (B, 1, K, 2) keypoints plus noise, as MMPose's
    heads output them: a (B, C, H, W) array or two (B, K, L) arrays."""
    encoded = [ref.encode(k) for k in keypoints]
    if 'heatmaps' in encoded[0]:
        maps = np.stack([e['heatmaps'] for e in encoded])
        return (maps + rng.normal(0, 0.02, maps.shape).astype(np.float32), )
    outputs = []
    for key in ('keypoint_x_labels', 'keypoint_y_labels'):
        v = np.concatenate([e[key] for e in encoded])
        outputs.append(v + rng.normal(0, 0.02 * v.max(), v.shape).astype(
            np.float32))
    return tuple(outputs)


def mmpose_decode(ref, outputs):
    """MMPose's per-instance decode (on copies: SimCCLabel(use_dark=True)
    writes into its inputs). Returns keypoints (B, K, 2), scores (B, K) and
    the visibility (B, K) or None."""
    kps, scores, vis = [], [], []
    for i in range(len(outputs[0])):
        # SimCCLabel(use_dark=True) fails on (K, L) vectors: give (1, K, L)
        one = slice(i, i + 1) if len(outputs) == 2 else i
        k, s = ref.decode(*[o[one].copy() for o in outputs])
        if isinstance(s, tuple):
            s, v = s
            vis.append(v.reshape(s.shape))  # MMPose's is (K, ), ours (1, K)
        kps.append(k)
        scores.append(s)
    return (np.concatenate(kps), np.concatenate(scores),
            np.concatenate(vis) if vis else None)


def ours_decode(ours, outputs):
    """Our batch_decode, the way MMPose's heads call it."""
    kps, scores = ours.batch_decode(*[torch.from_numpy(o) for o in outputs])
    vis = None
    if isinstance(scores, tuple):
        scores, vis = scores
        vis = np.concatenate(vis)
    return np.concatenate(kps), np.concatenate(scores), vis


def input_box(ref, margin):
    """Corners of the input's pixel centres [0, w - 1] x [0, h - 1] less a
    ``margin`` fraction on each side."""
    w, h = np.array(ref.input_size) - 1
    return (margin * w, margin * h), ((1 - margin) * w, (1 - margin) * h)


@pytest.mark.parametrize('config,what', MMPOSE_CONFIGS)
def test_mmpose_config_builds_a_dropin(config, what):
    rng = np.random.default_rng(0)
    ref, ours = codec_pair(config)
    # encoding: keypoints inside the input (outside: see the
    # zero_weight_outside test), some invisible
    low, high = input_box(ref, 0.0)
    kps = rng.uniform(low, high, (16, 1, 17, 2))
    vis = (rng.uniform(size=(16, 1, 17)) > 0.2).astype(np.float32)
    for kp, v in zip(kps, vis):
        a, b = ours.encode(kp, v), ref.encode(kp, v)
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_allclose(a[key], b[key], atol=1e-5, rtol=0,
                                       err_msg=f'{what}: {key}')
    # decoding network-like outputs of keypoints away from the border
    # (there MMPose's step is unbounded: see test_bounded_refinement.py)
    low, high = input_box(ref, 0.1)
    kps = rng.uniform(low, high, (24, 1, 17, 2)).astype(np.float32)
    outputs = network_outputs(ref, kps, rng)
    expected, got = mmpose_decode(ref, outputs), ours_decode(ours, outputs)
    np.testing.assert_allclose(got[0], expected[0], atol=1e-3, rtol=0,
                               err_msg=what)
    np.testing.assert_allclose(got[1], expected[1], atol=1e-6, rtol=0)
    assert (got[2] is None) == (expected[2] is None)
    if got[2] is not None:
        np.testing.assert_allclose(got[2], expected[2], atol=1e-6, rtol=0)
    # the single-instance NumPy API returns what MMPose's does
    single, ref_single = ours.decode(*[o[0] for o in outputs]), \
        ref.decode(*[o[0].copy() for o in outputs])
    assert type(single[1]) is type(ref_single[1])
    np.testing.assert_allclose(single[0], ref_single[0], atol=1e-3, rtol=0)


def mmpose_off_outputs(ref, rng):
    """Outputs where MMPose's decoding is off: keypoints in the first and
    last pixels of each axis and maps whose maximum is not positive. (Not
    near-flat maps: there the step divides by a near-zero determinant, and
    float32 rounding alone changes it by pixels.)"""
    w, h = ref.input_size
    edge = np.concatenate([np.linspace(0, 3, 9), np.linspace(w - 3, w - 1.01,
                                                              8)])
    kps = np.stack([edge, np.linspace(0.2, h - 1.2, 17)], -1)
    kps = np.stack([kps, kps[:, ::-1] * [w / h, h / w]])[:, None]
    outputs = list(zip(*network_outputs(ref, kps, rng)))
    first = outputs[0]
    outputs.append(tuple(-np.abs(o) - 0.1 for o in first))  # all negative
    return tuple(np.stack(o) for o in zip(*outputs))


@pytest.mark.parametrize('config,what', MMPOSE_CONFIGS + [
    ('body_2d_keypoint/simcc/coco/simcc_res50_8xb64-210e_coco-256x192.py',
     'use_dark=True'),
])
def test_guarded_decoding_false_is_mmposes_decoding(config, what):
    """The switch restores MMPose's decoding where ours departs on
    purpose: the unbounded step near the border, -1 for non-positive
    maxima, the neighbouring map UDP reads there."""
    rng = np.random.default_rng(1)
    extra = dict(use_dark=True) if what == 'use_dark=True' else {}
    ref, ours = codec_pair(config, guarded_decoding=False, **extra)
    if extra:
        ref, _ = codec_pair(config)
        ref.use_dark = True
    outputs = mmpose_off_outputs(ref, rng)
    expected, got = mmpose_decode(ref, outputs), ours_decode(ours, outputs)
    np.testing.assert_allclose(got[0], expected[0], atol=1e-3, rtol=1e-5,
                               equal_nan=True, err_msg=what)
    np.testing.assert_allclose(got[1], expected[1], atol=1e-6, rtol=0)
    # and the guarded default departs there (else this test shows nothing)
    _, guarded = codec_pair(config, **extra)
    departs = np.abs(ours_decode(guarded, outputs)[0] - expected[0])
    assert not (departs <= 1e-3).all()


def test_zero_weight_outside_false_is_mmposes_weights():
    rng = np.random.default_rng(2)
    for config in (MMPOSE_CONFIGS[0][0], MMPOSE_CONFIGS[-1][0]):
        ref, ours = codec_pair(config, zero_weight_outside=False)
        _, default = codec_pair(config)
        w, h = ref.input_size
        # keypoints up to 15 % outside the input
        kps = rng.uniform((-0.15 * w, -0.15 * h), (1.15 * w, 1.15 * h),
                          (12, 1, 17, 2))
        differs = False
        for kp in kps:
            a, b = ours.encode(kp), ref.encode(kp)
            for key in a:
                np.testing.assert_allclose(a[key], b[key], atol=1e-5, rtol=0)
            differs |= (default.encode(kp)['keypoint_weights'] !=
                        b['keypoint_weights']).any()
        assert differs  # the default departs there


@pytest.mark.parametrize('kwargs,match', [
    (dict(unbiased='yes'), "DARKHeatmap: unbiased='yes'"),
    (dict(unbiased=True, decoding='shift'),
     "DARKHeatmap: unbiased=True means decoding='dark'"),
    (dict(unbiased=False, encoding='unbiased'),
     "DARKHeatmap: unbiased=False means encoding='quantized'"),
    (dict(guarded_decoding=False, modulation=False),
     'DARKHeatmap: guarded_decoding=False .* modulation=False'),
])
def test_arguments_that_cannot_be_honoured_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DARKHeatmap((192, 256), (48, 64), 2, **kwargs)


def test_unknown_mmpose_argument_is_refused_by_name():
    """An argument none of ours takes fails at build time naming it
    (Python's TypeError through the registry)."""
    with pytest.raises(TypeError, match='increase_sigma_with_padding'):
        KEYPOINT_CODECS.build(
            dict(type='UDPCodec', input_size=(192, 256),
                 heatmap_size=(48, 64), increase_sigma_with_padding=True))


def test_msra_standard_through_unbiased_false():
    """MSRAHeatmap's default (unbiased=False) is the standard codec."""
    from mmpose.codecs import MSRAHeatmap
    rng = np.random.default_rng(3)
    ref = MSRAHeatmap((192, 256), (48, 64), 2, False)
    ours = DARKHeatmap((192, 256), (48, 64), 2, False)
    assert (ours.encoding, ours.decoding) == ('quantized', 'shift')
    kps = rng.uniform((10, 10), (182, 246), (8, 1, 17, 2)).astype(np.float32)
    outputs = network_outputs(ref, kps, rng)
    np.testing.assert_allclose(
        ours_decode(ours, outputs)[0], mmpose_decode(ref, outputs)[0],
        atol=1e-5)
