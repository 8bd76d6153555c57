"""SimDRLabel against MMPose's SimCCLabel (the oracle, same run, seeded)."""
import numpy as np
import pytest
import torch
from mmpose.codecs import SimCCLabel

from mmpose_ext.codecs import SimDRLabel

INPUT = (192, 256)


def random_keypoints(rng, n, low=(0, 0), high=INPUT, k=17):
    return rng.uniform(low, high, (n, 1, k, 2)).astype(np.float32)


@pytest.mark.parametrize('smoothing,sigma,k,smooth_weight,normalize', [
    ('gaussian', 6.0, 2.0, 0.0, True),
    ('gaussian', (4.0, 5.0), 3.0, 0.0, True),
    ('gaussian', (4.9, 5.66), 2.0, 0.0, False),
    ('standard', 6.0, 2.0, 0.0, True),
    ('standard', 6.0, 2.0, 0.1, True),
])
def test_encode_matches_simcc_label(smoothing, sigma, k, smooth_weight,
                                    normalize):
    rng = np.random.default_rng(0)
    # MMPose's positional order, so that both take the same call
    args = (INPUT, smoothing, sigma, k, smooth_weight, normalize)
    ours, ref = SimDRLabel(*args), SimCCLabel(*args)
    kps = random_keypoints(rng, 20, high=(191.7, 255.7))
    vis = (rng.uniform(size=(20, 1, 17)) > 0.2).astype(np.float32)
    for kp, v in zip(kps, vis):
        a, b = ours.encode(kp, v), ref.encode(kp, v)
        for key in ('keypoint_x_labels', 'keypoint_y_labels',
                    'keypoint_weights'):
            np.testing.assert_allclose(a[key], b[key], atol=1e-7)
    assert a['keypoint_x_labels'].shape == (1, 17, round(192 * k))


def test_keypoints_outside_get_zero_weight():
    """Deliberate difference: SimCCLabel's Gaussian mode keeps weight 1 for a
    keypoint outside the input while its 3-sigma window overlaps the
    vector, and trains the border bins towards it."""
    ours = SimDRLabel(INPUT, 'gaussian', 6.0)
    ref = SimCCLabel(INPUT, 'gaussian', 6.0)
    kp = np.array([[[-3.0, 100.0], [100.0, 257.0], [50.0, 60.0],
                    [-10.0, 100.0], [100.0, 265.1]]], np.float32)
    np.testing.assert_array_equal(ours.encode(kp)['keypoint_weights'],
                                  [[0, 0, 1, 0, 0]])
    np.testing.assert_array_equal(ref.encode(kp)['keypoint_weights'],
                                  [[1, 1, 1, 0, 0]])
    assert not ours.encode(kp)['keypoint_x_labels'][0, :2].any()
    # the switch restores SimCCLabel's rule and labels
    mmpose_rule = SimDRLabel(INPUT, 'gaussian', 6.0,
                             zero_weight_outside=False)
    a, b = mmpose_rule.encode(kp), ref.encode(kp)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], atol=1e-7)


@pytest.mark.parametrize('noise', [0.0, 1e-3])
@pytest.mark.parametrize('refine', [False, True])
@pytest.mark.parametrize('label_type,smoothing', [('gaussian', 'gaussian'),
                                                  ('one-hot', 'standard')])
def test_decode_matches_simcc_label(noise, refine, label_type, smoothing):
    rng = np.random.default_rng(1)
    ours = SimDRLabel(INPUT, label_type=label_type, sigma=6.0, refine=refine)
    ref = SimCCLabel(INPUT, smoothing, 6.0, use_dark=refine)
    # 10 px inside: at the border see test_border_refinement_stays_inside
    enc = [ref.encode(k) for k in random_keypoints(rng, 32, (10, 10),
                                                    (182, 246))]
    xs = np.concatenate([e['keypoint_x_labels'] for e in enc])
    ys = np.concatenate([e['keypoint_y_labels'] for e in enc])
    xs = xs + rng.normal(0, noise, xs.shape).astype(np.float32)
    ys = ys + rng.normal(0, noise, ys.shape).astype(np.float32)
    expected = [ref.decode(x[None].copy(), y[None].copy())
                for x, y in zip(xs, ys)]
    keypoints, scores = ours.decode_tensor(torch.from_numpy(xs),
                                           torch.from_numpy(ys))
    np.testing.assert_allclose(keypoints.numpy(),
                               np.concatenate([e[0] for e in expected]),
                               atol=1e-3)
    np.testing.assert_allclose(scores.numpy(),
                               np.concatenate([e[1] for e in expected]))


def test_refinement_is_exact_for_unquantised_gaussians():
    """The 1-D Taylor step recovers the sub-bin centre of a Gaussian
    vector exactly (blurring a Gaussian gives a Gaussian)."""
    rng = np.random.default_rng(2)
    codec = SimDRLabel(INPUT, 'gaussian', 6.0, use_dark=True)
    centres = rng.uniform(40, 340, (4, 17, 2))
    bins = np.arange(512)
    xs = np.exp(-(bins[:384] - centres[..., 0:1])**2 / 72).astype(np.float32)
    ys = np.exp(-(bins - centres[..., 1:2])**2 / 72).astype(np.float32)
    decoded = codec.decode_tensor(torch.from_numpy(xs),
                                  torch.from_numpy(ys))[0].numpy()
    np.testing.assert_allclose(decoded, centres / 2, atol=1e-3)


def test_border_refinement_stays_inside():
    """Deliberate difference, checked against the exact answer: for labels
    cut by the border, SimCCLabel's edge-replicated stencil sees a convex
    profile and steps up to 8 px outside the input; we take no step in the
    first and last two bins."""
    ours = SimDRLabel(INPUT, 'gaussian', 6.0, use_dark=True)
    ref = SimCCLabel(INPUT, 'gaussian', 6.0, use_dark=True)
    kps = np.array([[[0.70, 100.0], [191.55, 255.41]]], np.float32)
    enc = ref.encode(kps)
    x, y = enc['keypoint_x_labels'], enc['keypoint_y_labels']
    err_ours = np.abs(ours.decode(x, y)[0] - kps)
    err_ref = np.abs(ref.decode(x.copy(), y.copy())[0] - kps)
    assert err_ours.max() <= 0.25 + 1e-5  # the bin's quantisation error
    assert err_ref.max() > 5


def test_quantisation_error_is_below_half_a_bin():
    rng = np.random.default_rng(3)
    for k in (1.0, 2.0, 3.0):
        codec = SimDRLabel(INPUT, 'standard', simcc_split_ratio=k)
        # round(x * k) < w * k for x < w - 0.5 / k
        kps = random_keypoints(rng, 8, high=(191.5, 255.5))
        enc = [codec.encode(kp) for kp in kps]
        decoded = np.concatenate([
            codec.decode(e['keypoint_x_labels'], e['keypoint_y_labels'])[0]
            for e in enc
        ])
        assert np.abs(decoded - kps[:, 0]).max() <= 1 / (2 * k) + 1e-5


def test_negative_logits_keep_their_argmax():
    """Deliberate difference: SimCCLabel writes -1 (-0.5 px) when the
    smaller of the two maxima is <= 0, which raw logits often are."""
    ours = SimDRLabel(INPUT)
    ref = SimCCLabel(INPUT)
    x = np.full((1, 17, 384), -5.0, np.float32)
    y = np.full((1, 17, 512), -5.0, np.float32)
    x[..., 100], y[..., 300] = -1.0, -2.0
    kps, scores = ours.decode(x, y)
    np.testing.assert_array_equal(kps[0, 0], [50.0, 150.0])
    np.testing.assert_array_equal(scores[0], -2.0)
    np.testing.assert_array_equal(ref.decode(x, y)[0][0, 0], [-0.5, -0.5])


def test_batch_api():
    codec = SimDRLabel(INPUT)
    x, y = torch.rand(3, 17, 384), torch.rand(3, 17, 512)
    kps, scores = codec.batch_decode(x, y)
    assert len(kps) == 3 and kps[0].shape == (1, 17, 2)
    single = codec.decode(x[2].numpy(), y[2].numpy())
    np.testing.assert_array_equal(kps[2], single[0])
    np.testing.assert_array_equal(scores[2], single[1])


@pytest.mark.parametrize('kwargs,match', [
    (dict(label_type='smooth'), "label_type='smooth'"),
    (dict(smoothing_type='one-hot'), "smoothing_type='one-hot'"),
    (dict(smoothing_type='standard', label_type='gaussian'),
     "label_type='gaussian' contradicts smoothing_type='standard'"),
    (dict(use_dark=True, refine=False), 'refine=False contradicts'),
    (dict(label_smooth_weight=0.1), "label_smooth_weight=0.1 needs "
     "smoothing_type='standard'"),
    (dict(smoothing_type='standard', label_smooth_weight=1.5),
     r'label_smooth_weight must be in \[0, 1\]'),
    (dict(simcc_split_ratio=0), 'simcc_split_ratio'),
    (dict(sigma=0.0), 'sigma'),
    (dict(decode_beta=0.0), 'decode_beta'),
    (dict(blur_kernel_size=8), 'blur_kernel_size'),
])
def test_bad_options_raise(kwargs, match):
    with pytest.raises(ValueError, match=f'SimDRLabel.*{match}'):
        SimDRLabel(INPUT, **kwargs)
