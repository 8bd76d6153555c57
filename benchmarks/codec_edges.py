"""Where the codecs' bounded Taylor step differs from MMPose's, measured.

    python benchmarks/codec_edges.py PART \
        [--record results/benchmarks/NAME.json]

PART is one of the tables of docs/codecs.md ("Where we differ", "Bounded
refinement"); each is deterministic (seeded inputs, no timing):

- ``sigma``: the worst error (input px) of SimDR's 1-D refinement over
  keypoints every 0.01 px in [0, 2] px from the first and the last pixel
  (perfect MMPose labels, k = 2), for ``SimCCLabel(use_dark=True)``,
  ``SimDRLabel(use_dark=True)`` and the arg-max alone, per sigma (bins);
- ``outside``: how much farther from the truth our decoding ends up than
  MMPose's, for keypoints up to 12 px outside the input (every 0.05 px, while
  MMPose's target gives them a weight) and, as a check, inside it (every
  0.05 px over the first and last 8 px); the cases and scans of
  ``tests/codecs/test_stated_edges.py``, which asserts the outside values;
- ``ulp``: nearly flat maps (0.5 + N(0, 1e-3), 64 instances of 17 UDP
  heatmaps, seed 0): how far MMPose's own ``UDPHeatmap`` decoding moves when
  every input value grows by one float32 ulp, and how far ours with
  ``guarded_decoding=False`` is from MMPose's, at the keypoints whose arg-max
  is a border pixel and at the others;
- ``reach``: the mean error (input px) of our refinement bounded at 1 and
  at 2 pixels / bins (``REACH``, patched for the run) and of MMPose's
  unbounded one, on MMPose's targets of 200 x 17 seeded keypoints away from
  the border plus seeded Gaussian noise.
"""
import argparse

import numpy as np
import torch
from mmpose.codecs import MSRAHeatmap, SimCCLabel, UDPHeatmap

from mmpose_ext.codecs import DARKHeatmap, SimDRLabel, UDPCodec
from mmpose_ext.codecs.utils import taylor_refinement
from mmpose_ext.testing.codec_edges import axis_scan_keypoints, decode_errors
from mmpose_ext.utils.run_record import LoadSampler, finish_benchmark

INPUT = (192, 256)  # (w, h)


def sigma_table():
    """Worst 1-D refinement error near both ends, per sigma."""
    w, h = INPUT
    d = np.arange(0, 2.0001, 0.01)
    xs = np.concatenate([d, w - 1 - d])
    kps = np.stack([xs, np.full_like(xs, h / 2)], -1)[None]
    sigmas = [1, 2, 3, 4.9, 6, 8]
    decoders = [
        ('`SimCCLabel(use_dark=True)` px',
         lambda s: SimCCLabel(INPUT, sigma=s, use_dark=True)),
        ('`SimDRLabel(use_dark=True)` px',
         lambda s: SimDRLabel(INPUT, sigma=s, use_dark=True)),
        ('arg-max alone px', lambda s: SimDRLabel(INPUT, sigma=s)),
    ]
    rows, lines = [], [
        'worst error over x in [0, 2] px from each end, perfect labels, '
        'k = 2',
        '| sigma (bins) | ' + ' | '.join(f'{s:g}' for s in sigmas) + ' |',
        '| --- |' + ' --- |' * len(sigmas)]
    for name, make in decoders:
        worst = []
        for sigma in sigmas:
            ref = SimCCLabel(INPUT, sigma=sigma)
            enc = ref.encode(kps)
            x, y = enc['keypoint_x_labels'], enc['keypoint_y_labels']
            decoded = make(sigma).decode(x.copy(), y.copy())[0][0, :, 0]
            worst.append(float(np.abs(decoded - xs).max()))
        rows.append(dict(decoder=name, sigmas=sigmas, worst_px=worst))
        lines.append(f'| {name} | ' + ' | '.join(f'{v:.2f}' for v in worst) +
                     ' |')
    return rows, lines


def farther_than_mmpose(ours, ref, keypoints):
    """Largest (our distance - MMPose's distance) from the truth, input px,
    over the keypoints MMPose's target gives a weight, and their number."""
    ours_err, ref_err = decode_errors(ours, ref, keypoints)
    return float((ours_err - ref_err).max()), int(ours_err.size)


def outside_table():
    cases = [
        ('`UDPCodec` 256x192, sigma 2', UDPCodec(INPUT, (48, 64), sigma=2),
         UDPHeatmap(INPUT, (48, 64), sigma=2)),
        ('`SimDRLabel(use_dark=True)` k = 2, sigma 6',
         SimDRLabel(INPUT, sigma=6., use_dark=True),
         SimCCLabel(INPUT, sigma=6., use_dark=True)),
        ('`SimDRLabel(use_dark=True)` k = 2, sigma (4.9, 5.66) (RTMPose)',
         SimDRLabel(INPUT, sigma=(4.9, 5.66), use_dark=True),
         SimCCLabel(INPUT, sigma=(4.9, 5.66), use_dark=True)),
        ('`DARKHeatmap` 256x192, sigma 2', DARKHeatmap(INPUT, (48, 64), 2),
         MSRAHeatmap(INPUT, (48, 64), 2, unbiased=True)),
    ]
    inside = axis_scan_keypoints(INPUT, -np.arange(0, 8, 0.05))
    outside = axis_scan_keypoints(INPUT, np.arange(0.05, 12, 0.05))
    rows, lines = [], [
        'largest (our error - MMPose error), input px, perfect MMPose '
        'targets; <= 0: never farther',
        '| codec (perfect targets) | farther than MMPose, outside the input '
        '(keypoints) | inside (keypoints) |', '| --- | --- | --- |']
    for name, ours, ref in cases:
        out_px, out_n = farther_than_mmpose(ours, ref, outside)
        in_px, in_n = farther_than_mmpose(ours, ref, inside)
        rows.append(dict(codec=name, outside_px=out_px, outside_n=out_n,
                         inside_px=in_px, inside_n=in_n))
        lines.append(f'| {name} | {out_px:.2f} px ({out_n}) | '
                     f'{in_px:.1e} px ({in_n}) |')
    return rows, lines


def ulp_table():
    rows, lines = [], [
        'nearly flat UDP maps 0.5 + N(0, 1e-3), 64 x 17 per size, seed 0; '
        'largest distances, input px',
        '| input / heatmaps, sigma | keypoints (border / inside) | MMPose '
        'moves by one ulp: border | inside | ours (`guarded_decoding=False`)'
        ' from MMPose: border | inside |', '| --- | --- | --- | --- | --- '
        '| --- |']
    for input_size, heatmap_size, sigma in (((192, 256), (48, 64), 2),
                                            ((288, 384), (72, 96), 3)):
        rng = np.random.default_rng(0)
        W, H = heatmap_size
        maps = (0.5 + rng.normal(0, 1e-3, (64, 17, H, W))).astype(np.float32)
        flat = maps.reshape(64, 17, H * W).argmax(-1)
        argmax = np.stack([flat % W, flat // W], -1)
        border = ((argmax == 0) | (argmax == (W - 1, H - 1))).any(-1)
        ref = UDPHeatmap(input_size, heatmap_size, sigma=sigma)
        ours = UDPCodec(input_size, heatmap_size, sigma=sigma,
                        guarded_decoding=False)

        def mmpose(m):
            return np.concatenate([ref.decode(one.copy())[0] for one in m])

        expected = mmpose(maps)
        moved = np.linalg.norm(
            mmpose(np.nextafter(maps, np.float32(1))) - expected, axis=-1)
        got = ours.decode_tensor(torch.from_numpy(maps))[0].numpy()
        differs = np.linalg.norm(got - expected, axis=-1)
        row = dict(input=f'{input_size[1]}x{input_size[0]}',
                   heatmap=f'{H}x{W}', sigma=sigma,
                   border=int(border.sum()), inside=int((~border).sum()),
                   mmpose_moves_border=float(moved[border].max()),
                   mmpose_moves_inside=float(moved[~border].max()),
                   ours_differs_border=float(differs[border].max()),
                   ours_differs_inside=float(differs[~border].max()))
        rows.append(row)
        lines.append(
            f"| {row['input']} / {row['heatmap']}, {sigma} | "
            f"{row['border']} / {row['inside']} | "
            f"{row['mmpose_moves_border']:.2g} | "
            f"{row['mmpose_moves_inside']:.2g} | "
            f"{row['ours_differs_border']:.2g} | "
            f"{row['ours_differs_inside']:.2g} |")
    return rows, lines


def mean_errors(ours, ref, keypoints, noise, rng):
    """Mean error (input px) of ours and MMPose's decoding of MMPose's noisy
    targets of ``keypoints`` (N, 1, K, 2)."""
    encoded = [ref.encode(k) for k in keypoints]
    if 'heatmaps' in encoded[0]:
        outputs = [np.stack([e['heatmaps'] for e in encoded])]
    else:
        outputs = [np.concatenate([e['keypoint_x_labels'] for e in encoded]),
                   np.concatenate([e['keypoint_y_labels'] for e in encoded])]
    outputs = [(o + rng.normal(0, noise, o.shape)).astype(np.float32)
               for o in outputs]
    truth = keypoints[:, 0]
    # MMPose decodes one instance: (K, H, W) heatmaps, (1, K, L) vectors
    one = ((lambda o, i: o[i].copy()) if len(outputs) == 1 else
           (lambda o, i: o[i:i + 1].copy()))
    ref_kps = np.concatenate([
        ref.decode(*[one(o, i) for o in outputs])[0]
        for i in range(len(keypoints))])
    ours_kps = ours.decode_tensor(*map(torch.from_numpy, outputs))[0].numpy()
    return (float(np.linalg.norm(ours_kps - truth, axis=-1).mean()),
            float(np.linalg.norm(ref_kps - truth, axis=-1).mean()))


def reach_table():
    dark_input, dark_maps = (288, 384), (72, 96)
    cases = [
        ('DARK sigma 3 (384x288), noise 0.05',
         DARKHeatmap(dark_input, dark_maps, 3, blur_kernel_size=17),
         MSRAHeatmap(dark_input, dark_maps, 3, unbiased=True,
                     blur_kernel_size=17), dark_input, 0.05),
        ('DARK sigma 3 (384x288), noise 0.1',
         DARKHeatmap(dark_input, dark_maps, 3, blur_kernel_size=17),
         MSRAHeatmap(dark_input, dark_maps, 3, unbiased=True,
                     blur_kernel_size=17), dark_input, 0.1),
        ('SimDR sigma 6, noise 3e-3',
         SimDRLabel(INPUT, sigma=6., use_dark=True),
         SimCCLabel(INPUT, sigma=6., use_dark=True), INPUT, 3e-3),
    ]
    rows, lines = [], [
        'mean error, input px, 200 x 17 keypoints at least 16 px inside, '
        'seed 0; ours / MMPose',
        '| case | bound 1 | bound 2 (ours) |', '| --- | --- | --- |']
    for name, ours, ref, size, noise in cases:
        cells = []
        for reach in (1.0, 2.0):
            rng = np.random.default_rng(0)
            keypoints = rng.uniform((16, 16), (size[0] - 17, size[1] - 17),
                                    (200, 1, 17, 2))
            taylor_refinement.REACH = reach
            try:
                cells.append(mean_errors(ours, ref, keypoints, noise, rng))
            finally:
                taylor_refinement.REACH = 2.0
        rows.append(dict(case=name, noise=noise,
                         bound_1=dict(ours=cells[0][0], mmpose=cells[0][1]),
                         bound_2=dict(ours=cells[1][0], mmpose=cells[1][1])))
        lines.append(f'| {name} | ' + ' | '.join(
            f'{o:.3f} / {m:.3f}' for o, m in cells) + ' |')
    return rows, lines


PARTS = dict(sigma=sigma_table, outside=outside_table, ulp=ulp_table,
             reach=reach_table)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('part', choices=sorted(PARTS))
    parser.add_argument('--record', default=None,
                        help='write the table and the machine as JSON here')
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    with LoadSampler() as load:
        rows, lines = PARTS[args.part]()
    print('\n'.join(lines))
    finish_benchmark(f'codec_edges_{args.part}', args.record, load, rows,
                     lines, threads=1)


if __name__ == '__main__':
    main()
