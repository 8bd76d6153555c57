"""Edge cases for all three codecs: degenerate heatmaps and vectors decode to
finite locations inside the input; invisible keypoints and keypoints outside
the input get weight 0."""
import numpy as np
import pytest
import torch

from mmpose_ext.codecs import DARKHeatmap, SimDRLabel, UDPCodec

INPUT, HEATMAP = (192, 256), (48, 64)
HEATMAP_CODECS = [
    ('dark', lambda: DARKHeatmap(INPUT, HEATMAP, 2)),
    ('dark-no-modulation', lambda: DARKHeatmap(INPUT, HEATMAP, 2,
                                               modulation=False)),
    ('dark-no-log', lambda: DARKHeatmap(INPUT, HEATMAP, 2,
                                        log_transform=False)),
    ('standard', lambda: DARKHeatmap(INPUT, HEATMAP, 2, unbiased=False)),
    ('udp', lambda: UDPCodec(INPUT, HEATMAP)),
]


def degenerate_heatmaps(channels=17):
    """(name, (C, H, W) heatmaps) cases."""
    rng = np.random.default_rng(0)
    shape = (channels, HEATMAP[1], HEATMAP[0])
    border = np.zeros(shape, np.float32)
    border[:, 0, 0] = 1.0  # corner
    border[1, 63, 20], border[2, 30, 47] = 1.0, 1.0  # bottom, right edges
    ridge = np.zeros(shape, np.float32)
    yy, xx = np.mgrid[:64, :48]
    ridge[:] = np.exp(-(xx - yy * 0.75)**2 / 0.5)  # diagonal ridge
    return [
        ('zeros', np.zeros(shape, np.float32)),
        ('flat', np.full(shape, 0.5, np.float32)),
        ('flat-noise', 0.5 + rng.normal(0, 1e-6, shape).astype(np.float32)),
        ('negative', -rng.uniform(0.1, 1.0, shape).astype(np.float32)),
        ('mixed-sign', rng.normal(0, 1, shape).astype(np.float32)),
        ('tiny', rng.uniform(0, 1e-12, shape).astype(np.float32)),
        ('border-peaks', border),
        ('ridge', ridge),
    ]


@pytest.mark.parametrize('name,make', HEATMAP_CODECS)
def test_degenerate_heatmaps_decode_inside(name, make):
    codec = make()
    for case, hm in degenerate_heatmaps():
        kps, scores = codec.decode_tensor(torch.from_numpy(hm)[None])
        assert torch.isfinite(kps).all() and torch.isfinite(scores).all(), \
            (name, case)
        # UDP decodes into input-size units: the last pixel is at w
        upper = torch.tensor(INPUT) * (1 + 1 / (np.array(HEATMAP) - 1))
        assert (kps >= -0.5 * 4.1).all() and (kps <= upper).all(), (name,
                                                                     case)


def test_udp_combined_degenerate_maps():
    codec = UDPCodec(INPUT, HEATMAP, 'combined')
    for case, hm in degenerate_heatmaps(channels=51):
        kps, scores = codec.decode_tensor(torch.from_numpy(hm)[None])
        assert torch.isfinite(kps).all() and torch.isfinite(scores).all(), \
            case


@pytest.mark.parametrize('refine', [False, True])
def test_degenerate_vectors_decode_inside(refine):
    codec = SimDRLabel(INPUT, refine=refine)
    rng = np.random.default_rng(1)
    for case, fill in [('zeros', 0.0), ('flat', 0.3), ('negative', -2.0),
                       ('noise', None)]:
        if fill is None:
            x = rng.normal(0, 1, (2, 17, 384)).astype(np.float32)
            y = rng.normal(0, 1, (2, 17, 512)).astype(np.float32)
        else:
            x = np.full((2, 17, 384), fill, np.float32)
            y = np.full((2, 17, 512), fill, np.float32)
        x[0, :, -1] += 1.0  # peaks in the last bin
        kps, scores = codec.decode_tensor(torch.from_numpy(x),
                                          torch.from_numpy(y))
        assert torch.isfinite(kps).all() and torch.isfinite(scores).all(), \
            case
        assert (kps >= -0.25).all() and (kps[..., 0] <= 192).all() and \
            (kps[..., 1] <= 256).all(), case


ENCODERS = [
    ('dark', lambda: DARKHeatmap(INPUT, HEATMAP, 2), 'heatmaps'),
    ('standard', lambda: DARKHeatmap(INPUT, HEATMAP, 2, encoding='quantized'),
     'heatmaps'),
    ('udp', lambda: UDPCodec(INPUT, HEATMAP), 'heatmaps'),
    ('udp-combined', lambda: UDPCodec(INPUT, HEATMAP, 'combined'),
     'heatmaps'),
    ('simdr', lambda: SimDRLabel(INPUT), 'keypoint_x_labels'),
    ('simdr-one-hot', lambda: SimDRLabel(INPUT, label_type='one-hot'),
     'keypoint_x_labels'),
]


@pytest.mark.parametrize('name,make,key', ENCODERS)
def test_invisible_and_far_outside_keypoints_get_zero_weight(name, make, key):
    codec = make()
    kps = np.array([[[96., 128.], [96., 128.], [-200., 128.], [96., 900.],
                     [50., 60.]]], np.float32)
    vis = np.array([[1., 0., 1., 1., 1.]], np.float32)
    enc = codec.encode(kps, vis)
    np.testing.assert_array_equal(enc['keypoint_weights'], [[1, 0, 0, 0, 1]])
    target = enc[key]
    assert np.isfinite(target).all()
    if name == 'udp-combined':
        per_keypoint = target.reshape(5, 3, *target.shape[-2:])[:, 0]
    elif name.startswith('simdr'):
        per_keypoint = target[0]  # (N=1, K, L) -> (K, L)
    else:
        per_keypoint = target  # (K, H, W)
    # the invisible keypoint has no target (same location as the visible one)
    assert not per_keypoint[1].any() and per_keypoint[0].any()


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a GPU')
def test_decoding_on_gpu_matches_cpu():
    rng = np.random.default_rng(2)
    kps = rng.uniform((10, 10), (180, 240), (8, 1, 17, 2)).astype(np.float32)
    for codec in (DARKHeatmap(INPUT, HEATMAP, 2), UDPCodec(INPUT, HEATMAP)):
        hms = torch.from_numpy(
            np.stack([codec.encode(k)['heatmaps'] for k in kps]))
        cpu = codec.decode_tensor(hms)[0]
        gpu = codec.decode_tensor(hms.cuda())[0]
        assert gpu.is_cuda
        torch.testing.assert_close(gpu.cpu(), cpu, atol=1e-3, rtol=0)
    codec = SimDRLabel(INPUT, refine=True)
    enc = [codec.encode(k) for k in kps]
    x = torch.from_numpy(np.concatenate([e['keypoint_x_labels'] for e in enc]))
    y = torch.from_numpy(np.concatenate([e['keypoint_y_labels'] for e in enc]))
    torch.testing.assert_close(
        codec.decode_tensor(x.cuda(), y.cuda())[0].cpu(),
        codec.decode_tensor(x, y)[0], atol=1e-3, rtol=0)


@pytest.mark.parametrize('codec,shape,match', [
    (DARKHeatmap(INPUT, HEATMAP, 2), (1, 17, 32, 24), 'DARKHeatmap.*24x32'),
    (DARKHeatmap(INPUT, HEATMAP, 2), (17, 64, 48), r'DARKHeatmap.*\(B, K'),
    (UDPCodec(INPUT, HEATMAP), (1, 17, 64, 40), 'UDPCodec.*40x64'),
    (UDPCodec(INPUT, HEATMAP, 'combined'), (1, 17, 64, 48), 'UDPCodec.*17'),
])
def test_wrong_heatmap_shapes_raise(codec, shape, match):
    with pytest.raises(ValueError, match=match):
        codec.decode_tensor(torch.zeros(shape))


def test_wrong_vector_lengths_raise():
    codec = SimDRLabel(INPUT)
    with pytest.raises(ValueError, match=r'SimDRLabel.*x vectors \(B, K, 384'):
        codec.decode_tensor(torch.zeros(1, 17, 192), torch.zeros(1, 17, 512))
