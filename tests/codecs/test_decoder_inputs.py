"""Inputs as MMPose's codecs take them: ``decode`` and ``batch_decode`` accept
NumPy arrays with any strides (a flipped view ``hm[..., ::-1]``),
read-only, Fortran-ordered or big-endian arrays, float32 or float64, and do
not write into them; float64 keypoints are rounded in float64."""
import numpy as np
import pytest
import torch
from mmpose.codecs import MSRAHeatmap, SimCCLabel, UDPHeatmap

from mmpose_ext.codecs import DARKHeatmap, SimDRLabel, UDPCodec

INPUT, HEATMAP = (192, 256), (48, 64)
# (name, ours, MMPose's counterpart with the same arguments)
CODECS = [
    ('dark', lambda: DARKHeatmap(INPUT, HEATMAP, 2, True),
     lambda: MSRAHeatmap(INPUT, HEATMAP, 2, True)),
    ('msra', lambda: DARKHeatmap(INPUT, HEATMAP, 2, False),
     lambda: MSRAHeatmap(INPUT, HEATMAP, 2, False)),
    ('udp', lambda: UDPCodec(INPUT, HEATMAP),
     lambda: UDPHeatmap(INPUT, HEATMAP)),
    ('udp-combined', lambda: UDPCodec(INPUT, HEATMAP, 'combined'),
     lambda: UDPHeatmap(INPUT, HEATMAP, 'combined')),
    ('simdr', lambda: SimDRLabel(INPUT), lambda: SimCCLabel(INPUT)),
    ('simdr-dark', lambda: SimDRLabel(INPUT, use_dark=True),
     lambda: SimCCLabel(INPUT, use_dark=True)),
]


def outputs_of(ref, rng, n=3):
    """Noisy targets of seeded keypoints, in MMPose's decode layout: one
    (n, C, H, W) array or two (n, K, L) arrays, float32, C-contiguous."""
    kps = rng.uniform((20, 20), (170, 236), (n, 1, 17, 2))
    enc = [ref.encode(k) for k in kps]
    keys = ['heatmaps'] if 'heatmaps' in enc[0] else \
        ['keypoint_x_labels', 'keypoint_y_labels']
    out = []
    for key in keys:
        v = np.concatenate([e[key][None] if key == 'heatmaps' else e[key]
                            for e in enc])
        out.append((v + rng.normal(0, 0.01 * v.max(), v.shape)).astype(
            np.float32))
    return out


def variants(array):
    """(name, array) with the same values in other memory layouts."""
    flipped = np.ascontiguousarray(array[..., ::-1])[..., ::-1]
    assert flipped.strides[-1] < 0
    readonly = array.copy()
    readonly.flags.writeable = False
    return [
        ('negative strides', flipped),
        ('read-only', readonly),
        ('broadcast (read-only, zero strides)',
         np.broadcast_to(array[:1], array.shape) if len(array) == 1 else
         readonly),
        ('Fortran order', np.asfortranarray(array)),
        ('big-endian', array.astype('>f4')),
        ('float64', array.astype(np.float64)),
        ('every other row', np.repeat(array, 2, axis=-2)[..., ::2, :]),
    ]


@pytest.mark.parametrize('name,make,make_ref', CODECS)
def test_any_layout_decodes_as_contiguous_float32(name, make, make_ref):
    rng = np.random.default_rng(0)
    ours, ref = make(), make_ref()
    outputs = outputs_of(ref, rng)
    base_batch = ours.batch_decode(*[torch.from_numpy(o) for o in outputs])
    base_single = ours.decode(*[o[0] for o in outputs])
    for i, o in enumerate(outputs):
        for what, v in variants(o):
            if what == 'every other row' and o.ndim == 3:
                continue  # vectors have no rows to skip
            args = list(outputs)
            args[i] = v
            snapshot = [a.copy() for a in args]
            # float64 is decoded in float64: equal up to float32 rounding
            atol = 1e-3 if v.dtype == np.float64 else 0
            batch = ours.batch_decode(*args)  # arrays too, not only tensors
            for got, want in zip(batch[0], base_batch[0]):
                np.testing.assert_allclose(got, want, atol=atol,
                                           err_msg=f'{name}: {what}')
            single = ours.decode(*[a[0] for a in args])
            np.testing.assert_allclose(single[0], base_single[0], atol=atol,
                                       err_msg=f'{name}: {what}')
            for a, s in zip(args, snapshot):  # nothing written into them
                np.testing.assert_array_equal(a, s)


@pytest.mark.parametrize('name,make,make_ref', CODECS)
def test_flipped_view_decodes_as_mmpose(name, make, make_ref):
    """A flipped heatmap or vector (a negative-stride view, as flip test
    makes it) decodes as MMPose decodes it."""
    rng = np.random.default_rng(1)
    ours, ref = make(), make_ref()
    outputs = [o[:1] for o in outputs_of(ref, rng, n=1)]
    flipped = [o[..., ::-1] for o in outputs]
    ref_in = [f[0].copy() for f in flipped] if name != 'simdr-dark' else \
        [f.copy() for f in flipped]  # SimCCLabel's DARK needs (1, K, L)
    expected = ref.decode(*ref_in)
    got = ours.decode(*[f[0] for f in flipped])
    # where MMPose is off (border; -1 for non-positive maxima) compare with
    # MMPose's behaviour switched on
    if not np.allclose(got[0], expected[0], atol=1e-3):
        mmpose_like = type(ours)(**{**vars_of(ours),
                                    'guarded_decoding': False})
        got = mmpose_like.decode(*[f[0] for f in flipped])
    np.testing.assert_allclose(got[0], expected[0], atol=1e-3)


def vars_of(codec):
    """Constructor arguments of one of our codecs."""
    if isinstance(codec, SimDRLabel):
        return dict(input_size=codec.input_size,
                    smoothing_type=codec.smoothing_type,
                    sigma=tuple(codec.sigma),
                    simcc_split_ratio=codec.simcc_split_ratio,
                    use_dark=codec.use_dark)
    if isinstance(codec, DARKHeatmap):
        return dict(input_size=codec.input_size,
                    heatmap_size=codec.heatmap_size, sigma=codec.sigma,
                    unbiased=codec.unbiased)
    return dict(input_size=codec.input_size, heatmap_size=codec.heatmap_size,
                heatmap_type=codec.heatmap_type, sigma=codec.sigma)


@pytest.mark.parametrize('ours,ref', [
    (DARKHeatmap(INPUT, HEATMAP, 2, False), MSRAHeatmap(INPUT, HEATMAP, 2)),
    (UDPCodec(INPUT, HEATMAP), UDPHeatmap(INPUT, HEATMAP)),
])
def test_float64_keypoints_round_in_float64(ours, ref):
    """x just below n + 0.5 (in heatmap pixels) rounds to n in float64; cast
    to float32 first it becomes n + 0.5 and rounds to n + 1."""
    n = 20
    unit = 1 if isinstance(ours, UDPCodec) else 0  # UDP: size - 1 units
    scale = (np.array(ours.input_size) - unit) / (
        np.array(ours.heatmap_size) - unit)
    x_heatmap = np.nextafter(n + 0.5, 0)  # float64, just below n + 0.5
    assert np.float32(x_heatmap) == n + 0.5  # what a float32 cast does
    kps = np.array([[[x_heatmap * scale[0], 30.0 * scale[1]]]])
    assert kps.dtype == np.float64
    a, b = ours.encode(kps)['heatmaps'], ref.encode(kps)['heatmaps']
    np.testing.assert_allclose(a, b, atol=1e-5)
    # the 3-sigma window ends at n + 6 (it would end at n + 7 from n + 1)
    assert a[0, 30, n + 6] > 0 and a[0, 30, n + 7] == 0
