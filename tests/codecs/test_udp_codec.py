"""UDPCodec against MMPose's UDPHeatmap (the oracle, same run, seeded)."""
import numpy as np
import pytest
import torch
from mmpose.codecs import UDPHeatmap
from mmpose.models.utils.tta import flip_heatmaps

from mmpose_ext.codecs import UDPCodec

INPUT, HEATMAP = (192, 256), (48, 64)


def random_keypoints(rng, n, low, high, k=17):
    return rng.uniform(low, high, (n, 1, k, 2)).astype(np.float32)


@pytest.mark.parametrize('heatmap_type,sigma', [('gaussian', 2),
                                                ('gaussian', 3),
                                                ('combined', 2)])
def test_encode_matches_udp_heatmap(heatmap_type, sigma):
    rng = np.random.default_rng(0)
    ours = UDPCodec(INPUT, HEATMAP, heatmap_type, sigma=sigma)
    ref = UDPHeatmap(INPUT, HEATMAP, heatmap_type, sigma=sigma)
    kps = random_keypoints(rng, 40, (-60, -80), (250, 330))
    vis = (rng.uniform(size=(40, 1, 17)) > 0.2).astype(np.float32)
    disk_misses = 0
    for kp, v in zip(kps, vis):
        a, b = ours.encode(kp, v), ref.encode(kp, v)
        np.testing.assert_allclose(a['heatmaps'], b['heatmaps'], atol=1e-6)
        if heatmap_type == 'gaussian':
            np.testing.assert_array_equal(a['keypoint_weights'],
                                          b['keypoint_weights'])
        else:
            # deliberate difference: weight 0 where the disk misses the map
            misses = a['heatmaps'][0::3].max(axis=(1, 2)) == 0
            expected = b['keypoint_weights'] * ~misses
            np.testing.assert_array_equal(a['keypoint_weights'], expected)
            disk_misses += int((misses & (v[0] > 0)).sum())
    assert heatmap_type == 'gaussian' or disk_misses > 0


@pytest.mark.parametrize('noise', [0.0, 0.02])
@pytest.mark.parametrize('heatmap_type', ['gaussian', 'combined'])
def test_decode_matches_udp_heatmap(noise, heatmap_type):
    rng = np.random.default_rng(1)
    ours = UDPCodec(INPUT, HEATMAP, heatmap_type)
    ref = UDPHeatmap(INPUT, HEATMAP, heatmap_type)
    # peaks at least 2 heatmap pixels inside (the border is tested below)
    kps = random_keypoints(rng, 32, (8, 8), (183, 247))
    hms = np.stack([ref.encode(k)['heatmaps'] for k in kps])
    hms = hms + rng.normal(0, noise, hms.shape).astype(np.float32)
    expected = np.concatenate([ref.decode(h.copy())[0] for h in hms])
    expected_scores = np.concatenate([ref.decode(h.copy())[1] for h in hms])
    keypoints, scores = ours.decode_tensor(torch.from_numpy(hms))
    np.testing.assert_allclose(keypoints.numpy(), expected, atol=1e-3)
    np.testing.assert_allclose(scores.numpy(), expected_scores, atol=1e-5)


def test_decoded_units_are_mmposes_input_size_units():
    """UDPHeatmap's convention (kept): decode(encode(x)) = x * w / (w - 1),
    which TopdownPoseEstimator's ``x / w * s`` turns into UDP's
    ``x / (w - 1) * s``. Without modulation (kernel size 1) the log of the
    windowed Gaussian is a quadratic within the stencil, so this is exact."""
    rng = np.random.default_rng(2)
    codec = UDPCodec(INPUT, HEATMAP, sigma=2, blur_kernel_size=1)
    kps = random_keypoints(rng, 8, (8, 8), (183, 247))
    hms = np.stack([codec.encode(k)['heatmaps'] for k in kps])
    decoded = codec.decode_tensor(torch.from_numpy(hms))[0].numpy()
    units = np.array(INPUT) / (np.array(INPUT) - 1)
    np.testing.assert_allclose(decoded, kps[:, 0] * units, atol=1e-3)


def test_flip_commutes_without_shift():
    """In unit lengths a horizontal flip is x -> w - 1 - x on the input and
    X -> W - 1 - X on the heatmap, so MMPose's flip test with
    ``shift_heatmap=False`` decodes to the mirrored keypoint exactly."""
    rng = np.random.default_rng(3)
    codec = UDPCodec(INPUT, HEATMAP, sigma=2)
    kps = random_keypoints(rng, 4, (8, 8), (183, 247))
    hms = torch.from_numpy(np.stack([codec.encode(k)['heatmaps']
                                     for k in kps]))
    flipped = flip_heatmaps(hms, flip_indices=list(range(17)),
                            shift_heatmap=False)
    a = codec.decode_tensor(hms)[0]
    b = codec.decode_tensor(flipped)[0]
    # mirrored in input-size units: x' = (w - 1 - x) * w / (w - 1)
    w = INPUT[0]
    torch.testing.assert_close(b[..., 0], w - a[..., 0], atol=1e-3, rtol=0)
    torch.testing.assert_close(b[..., 1], a[..., 1], atol=1e-3, rtol=0)


def test_border_peak_not_pushed_outside():
    """Deliberate difference, checked against the exact answer: near the
    border, the blurred map's maximum moves inwards and the edge-replicated
    stencil sees a convex profile; MMPose still takes the step and lands
    outside the heatmap, we keep the maximum pixel, which is closer."""
    ours = UDPCodec(INPUT, HEATMAP)
    ref = UDPHeatmap(INPUT, HEATMAP)
    kp = np.array([[[190.4671, 150.0]]], np.float32)  # heatmap x = 46.87
    hm = ref.encode(kp)['heatmaps']
    exact = kp[0, 0, 0] * INPUT[0] / (INPUT[0] - 1)
    x_ours = ours.decode(hm)[0][0, 0, 0]
    x_ref = ref.decode(hm.copy())[0][0, 0, 0]
    assert x_ref > INPUT[0]  # beyond the last heatmap pixel
    assert abs(x_ours - exact) < 1.0 < abs(x_ref - exact)


def test_combined_requires_one_instance():
    codec = UDPCodec(INPUT, HEATMAP, 'combined')
    with pytest.raises(ValueError, match='UDPCodec.*one instance'):
        codec.encode(np.zeros((2, 17, 2), np.float32))


@pytest.mark.parametrize('kwargs,match', [
    (dict(heatmap_type='offset'), "heatmap_type='offset'"),
    (dict(sigma=-1.), 'sigma'),
    (dict(blur_kernel_size=4), 'blur_kernel_size'),
    (dict(heatmap_size=(1, 64)), 'at least'),
])
def test_bad_options_raise(kwargs, match):
    args = dict(input_size=INPUT, heatmap_size=HEATMAP)
    args.update(kwargs)
    with pytest.raises(ValueError, match=f'UDPCodec.*{match}'):
        UDPCodec(**args)


def test_all_zero_heatmaps_give_finite_keypoints():
    """Deliberate difference: MMPose's blur rescales by 0 / 0 for an all-zero
    heatmap (e.g. the target of an unlabelled keypoint) and UDPHeatmap then
    returns NaN keypoints, which make CocoMetric's OKS NaN."""
    ours = UDPCodec(INPUT, HEATMAP)
    ref = UDPHeatmap(INPUT, HEATMAP)
    kps = np.full((1, 3, 2), 100., np.float32)
    hm = ref.encode(kps, np.array([[1., 0., 1.]], np.float32))['heatmaps']
    with np.errstate(invalid='ignore', divide='ignore'):
        theirs = ref.decode(hm.copy())[0]
    assert np.isnan(theirs[0, 1]).all()
    kp, score = ours.decode(hm)
    assert np.isfinite(kp).all() and score[0, 1] == 0
