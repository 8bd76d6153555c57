"""DARKHeatmap against MMPose's MSRAHeatmap (the oracle, same run, seeded)."""
import numpy as np
import pytest
import torch
from mmpose.codecs import MSRAHeatmap
from mmpose.registry import KEYPOINT_CODECS

from mmpose_ext.codecs import DARKHeatmap

INPUT, HEATMAP = (192, 256), (48, 64)


def random_keypoints(rng, n, k=17, low=(0, 0), high=INPUT):
    return rng.uniform(low, high, (n, 1, k, 2)).astype(np.float32)


@pytest.mark.parametrize('sigma,ks,input_size,heatmap_size', [
    (2, 11, INPUT, HEATMAP),
    (3, 17, (288, 384), (72, 96)),
    (1, 5, (96, 128), (24, 32)),
])
@pytest.mark.parametrize('unbiased', [True, False])
def test_encode_matches_msra(sigma, ks, input_size, heatmap_size, unbiased):
    rng = np.random.default_rng(0)
    ours = DARKHeatmap(input_size, heatmap_size, sigma,
                       encoding='unbiased' if unbiased else 'quantized',
                       blur_kernel_size=ks)
    ref = MSRAHeatmap(input_size, heatmap_size, sigma, unbiased=unbiased)
    # include keypoints outside the input (down to -30 % / up to 130 %)
    kps = random_keypoints(rng, 40, low=(-0.3 * input_size[0], -0.3 *
                                         input_size[1]),
                           high=(1.3 * input_size[0], 1.3 * input_size[1]))
    vis = (rng.uniform(size=(40, 1, 17)) > 0.2).astype(np.float32)
    for kp, v in zip(kps, vis):
        a, b = ours.encode(kp, v), ref.encode(kp, v)
        np.testing.assert_allclose(a['heatmaps'], b['heatmaps'], atol=1e-6)
        np.testing.assert_array_equal(a['keypoint_weights'],
                                      b['keypoint_weights'])
        assert a['heatmaps'].dtype == np.float32
    # the case table exercised both weight rules
    assert (vis == 0).any()


@pytest.mark.parametrize('noise', [0.0, 0.02])
@pytest.mark.parametrize('sigma,ks,input_size,heatmap_size', [
    (2, 11, INPUT, HEATMAP),
    (3, 17, (288, 384), (72, 96)),
    (1, 5, (96, 128), (24, 32)),
])
def test_dark_decode_matches_msra_unbiased(noise, sigma, ks, input_size,
                                           heatmap_size):
    rng = np.random.default_rng(1)
    ours = DARKHeatmap(input_size, heatmap_size, sigma, blur_kernel_size=ks)
    ref = MSRAHeatmap(input_size, heatmap_size, sigma, unbiased=True,
                      blur_kernel_size=ks)
    kps = random_keypoints(rng, 32, high=input_size)
    hms = np.stack([ref.encode(k)['heatmaps'] for k in kps])
    hms = hms + rng.normal(0, noise, hms.shape).astype(np.float32)
    expected = np.concatenate([ref.decode(h.copy())[0] for h in hms])
    keypoints, scores = ours.decode_tensor(torch.from_numpy(hms))
    np.testing.assert_allclose(keypoints.numpy(), expected, atol=1e-3)
    np.testing.assert_allclose(scores.numpy(), hms.max(axis=(2, 3)))


def test_shift_and_argmax_decoding_match_standard_msra():
    rng = np.random.default_rng(2)
    ref = MSRAHeatmap(INPUT, HEATMAP, 2)
    shift = DARKHeatmap(INPUT, HEATMAP, 2, encoding='quantized',
                        decoding='shift')
    argmax = DARKHeatmap(INPUT, HEATMAP, 2, decoding='argmax')
    kps = random_keypoints(rng, 16)
    hms = np.stack([ref.encode(k)['heatmaps'] for k in kps])
    hms += rng.normal(0, 0.05, hms.shape).astype(np.float32)
    expected = np.concatenate([ref.decode(h.copy())[0] for h in hms])
    np.testing.assert_allclose(
        shift.decode_tensor(torch.from_numpy(hms))[0].numpy(), expected)
    flat = hms.reshape(16, 17, -1).argmax(-1)
    pixels = np.stack((flat % 48, flat // 48), -1) * 4.0
    np.testing.assert_array_equal(
        argmax.decode_tensor(torch.from_numpy(hms))[0].numpy(), pixels)


def test_exact_without_modulation():
    """Without modulation the log of an unbiased target is a quadratic, so
    the Taylor step lands on the keypoint exactly (away from the 2-pixel
    border band, which DARK does not refine)."""
    rng = np.random.default_rng(3)
    codec = DARKHeatmap(INPUT, HEATMAP, 2, modulation=False)
    kps = random_keypoints(rng, 8, low=(8, 8), high=(180, 244))
    hms = np.stack([codec.encode(k)['heatmaps'] for k in kps])
    decoded = codec.decode_tensor(torch.from_numpy(hms))[0].numpy()
    np.testing.assert_allclose(decoded, kps[:, 0], atol=1e-3)


def test_numpy_and_batch_api():
    rng = np.random.default_rng(4)
    codec = KEYPOINT_CODECS.build(
        dict(type='DARKHeatmap', input_size=INPUT, heatmap_size=HEATMAP,
             sigma=2))
    hms = np.stack([codec.encode(k)['heatmaps']
                    for k in random_keypoints(rng, 3)])
    kps, scores = codec.decode(hms[1])
    assert kps.shape == (1, 17, 2) and scores.shape == (1, 17)
    batch_kps, batch_scores = codec.batch_decode(torch.from_numpy(hms))
    assert len(batch_kps) == 3 and batch_kps[1].shape == (1, 17, 2)
    np.testing.assert_array_equal(batch_kps[1], kps)
    np.testing.assert_array_equal(batch_scores[1], scores)
    assert codec.support_batch_decoding


def test_multi_instance_encoding_takes_the_maximum():
    codec = DARKHeatmap(INPUT, HEATMAP, 2)
    kps = np.array([[[40., 50.]], [[120., 200.]]], np.float32)
    both = codec.encode(kps)['heatmaps']
    each = [codec.encode(k[None])['heatmaps'] for k in kps]
    np.testing.assert_array_equal(both, np.maximum(*each))


@pytest.mark.parametrize('kwargs,match', [
    (dict(encoding='biased'), "encoding='biased'"),
    (dict(decoding='taylor'), "decoding='taylor'"),
    (dict(blur_kernel_size=10), 'blur_kernel_size'),
    (dict(sigma=0), 'sigma'),
])
def test_bad_options_raise(kwargs, match):
    args = dict(input_size=INPUT, heatmap_size=HEATMAP, sigma=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=f'DARKHeatmap.*{match}'):
        DARKHeatmap(**args)


def test_non_positive_maxima_keep_their_argmax():
    """Deliberate difference: MMPose writes -1 (the crop's corner after the
    inverse transform) for heatmaps whose maximum is <= 0; an under-confident
    network still has its peak at the arg-max."""
    codec = DARKHeatmap(INPUT, HEATMAP, 2)
    ref = MSRAHeatmap(INPUT, HEATMAP, 2, unbiased=True)
    hm = codec.encode(np.array([[[100., 120.]]], np.float32))['heatmaps']
    hm = hm[:1] * 0.5 - 1.0  # all negative, peak at (25, 30)
    ours, score = codec.decode(hm)
    theirs, _ = ref.decode(hm.copy())
    np.testing.assert_array_equal(ours[0, 0], [100., 120.])
    np.testing.assert_array_equal(theirs[0, 0], [-4., -4.])
    assert score[0, 0] == pytest.approx(-0.5)
