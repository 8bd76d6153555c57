"""The Taylor refinement is bounded: near both ends of the vectors and maps,
for every sigma in [1, 8] and every sub-pixel position, no decoded keypoint
moves more than REACH from its arg-max, and none where the stencil would
read beyond the vector or map. MMPose's unguarded step (our
``guarded_decoding=False``, equal to MMPose's in test_mmpose_dropin.py)
breaks the bound, up to the 112 px of issue 13."""
import numpy as np
import pytest
import torch
from mmpose.codecs import SimCCLabel

from mmpose_ext.codecs import DARKHeatmap, SimDRLabel, UDPCodec
from mmpose_ext.codecs.utils import REACH

INPUT = (192, 256)
SIGMAS = np.arange(1.0, 8.01, 0.5)
MAP = (48, 64)  # heatmaps of input size: one input pixel per heatmap pixel


def kernel_size(sigma):
    """The odd OpenCV kernel size whose sigma is closest to ``sigma``
    (``0.3 * ((ks - 1) / 2 - 1) + 0.8``: 11 for 2, 17 for 3)."""
    return int(round((sigma - 0.8) / 0.3 + 1)) * 2 + 1


def test_simdr_sigma_4_9_next_to_the_first_bin():
    """Issue 13's case: sigma 4.9 (RTMPose's), x in [0.3, 0.7] px: the
    second bin. MMPose's step there is about 112 px long."""
    ours = SimDRLabel(INPUT, sigma=4.9, use_dark=True)
    ref = SimCCLabel(INPUT, sigma=4.9, use_dark=True)
    xs = np.linspace(0.3, 0.7, 17)
    kps = np.stack([xs, np.full_like(xs, 100.0)], -1)[None]
    enc = ref.encode(kps)
    x, y = enc['keypoint_x_labels'], enc['keypoint_y_labels']
    err_ref = np.abs(ref.decode(x.copy(), y.copy())[0][0, :, 0] - xs)
    err_ours = np.abs(ours.decode(x, y)[0][0, :, 0] - xs)
    assert err_ref.max() > 100
    assert err_ours.max() <= 0.2 + 1e-6  # bin 1 = 0.5 px, no step there


@pytest.mark.parametrize('k', [2.0, 3.0])
def test_simdr_refinement_near_both_ends(k):
    w, h = INPUT
    L = int(round(w * k))
    # every 1/8 bin over the first and last 4 px (inside the vector)
    steps = np.arange(0, 4, 1 / (8 * k))
    xs = np.concatenate([steps, (L - 0.5 - 1e-3) / k - steps])
    kps = np.stack([xs, np.full_like(xs, h / 2)], -1)[None]
    mmpose_moves = []
    for sigma in SIGMAS:
        ours = SimDRLabel(INPUT, sigma=sigma, simcc_split_ratio=k,
                          use_dark=True)
        mmpose = SimDRLabel(INPUT, sigma=sigma, simcc_split_ratio=k,
                            use_dark=True, guarded_decoding=False)
        enc = ours.encode(kps)
        x, y = enc['keypoint_x_labels'], enc['keypoint_y_labels']
        argmax = x[0].argmax(-1)
        move = np.abs(ours.decode(x, y)[0][0, :, 0] * k - argmax)
        assert move.max() <= REACH + 1e-4, sigma
        at_end = (argmax < 2) | (argmax > L - 3)
        assert at_end.any() and (move[at_end] == 0).all(), sigma
        decoded_ref = mmpose.decode(x, y)[0][0, :, 0]
        mmpose_moves.append(np.abs(decoded_ref * k - argmax).max())
        # the worst error near the ends is not larger than MMPose's
        err = np.abs(ours.decode(x, y)[0][0, :, 0] - xs).max()
        assert err <= np.abs(decoded_ref - xs).max() + 1e-3, sigma
    assert max(mmpose_moves) > 50  # the unguarded step breaks the bound


def near_both_ends(size):
    """Keypoints (1, N, 2) every 1/8 px over the first and last 4 px of each
    axis of a ``size`` (W, H) map, the other coordinate mid-map."""
    W, H = size
    near = np.arange(-0.5, 4.0, 0.125)
    xs = np.concatenate([near, W - 1 - near])
    ys = np.concatenate([near, H - 1 - near])
    return np.concatenate([
        np.stack([xs, np.full_like(xs, H / 2 - 0.7)], -1),
        np.stack([np.full_like(ys, W / 2 - 0.4), ys], -1)
    ])[None]


@pytest.mark.parametrize('name,make,to_pixels', [
    ('dark', DARKHeatmap, lambda kp: kp),
    # UDP decodes to input-size units x / (W - 1) * w
    ('udp', UDPCodec,
     lambda kp: kp * (np.array(MAP) - 1) / np.array(MAP)),
])
def test_heatmap_refinement_near_both_ends(name, make, to_pixels):
    W, H = MAP
    kps = near_both_ends(MAP)
    mmpose_moves = []
    for sigma in SIGMAS:
        ks = kernel_size(sigma)
        ours = make(MAP, MAP, sigma=sigma, blur_kernel_size=ks)
        mmpose = make(MAP, MAP, sigma=sigma, blur_kernel_size=ks,
                      guarded_decoding=False)
        heatmaps = ours.encode(kps)['heatmaps']
        flat = heatmaps.reshape(len(heatmaps), -1).argmax(-1)
        argmax = np.stack([flat % W, flat // W], -1)
        decoded = to_pixels(ours.decode(heatmaps)[0][0])
        move = np.abs(decoded - argmax)
        assert move.max() <= REACH + 1e-4, sigma
        if name == 'dark':  # the 13-point stencil reads 2 px around
            outside = ((argmax < 2) | (argmax > np.array(MAP) - 3)).any(-1)
            assert (move[outside] == 0).all(), sigma
        else:  # an axis whose neighbours leave the map does not move
            at_border = (argmax == 0) | (argmax == np.array(MAP) - 1)
            assert at_border.any() and (move[at_border] == 0).all(), sigma
        decoded_ref = to_pixels(mmpose.decode(heatmaps)[0][0])
        mmpose_moves.append(np.abs(decoded_ref - argmax).max())
        err = np.abs(decoded - kps[0]).max()
        assert err <= np.abs(decoded_ref - kps[0]).max() + 1e-3, sigma
    assert max(mmpose_moves) > 4  # the unguarded step breaks the bound


@pytest.mark.parametrize('make,to_pixels', [
    (DARKHeatmap, lambda kp: kp),
    (UDPCodec, lambda kp: kp * (np.array(MAP) - 1) / np.array(MAP)),
])
def test_reach_bounds_noisy_flat_maps(make, to_pixels):
    """A near-flat noisy map has near-zero curvatures: MMPose's step goes
    far, ours at most REACH from the arg-max."""
    rng = np.random.default_rng(0)
    maps = (0.5 + rng.normal(0, 1e-3, (16, 17, 64, 48))).astype(np.float32)
    flat = maps.reshape(16, 17, -1).argmax(-1)
    argmax = np.stack([flat % 48, flat // 48], -1)
    moves = []
    for guarded in (True, False):
        codec = make(MAP, MAP, sigma=2, guarded_decoding=guarded)
        decoded = to_pixels(codec.decode_tensor(torch.from_numpy(maps))[0]
                            .numpy())
        moves.append(np.nanmax(np.abs(decoded - argmax)))
    assert moves[0] <= REACH + 1e-4 < moves[1]
