"""Encode/decode throughput of mmpose_ext's codecs against MMPose 1.3.2's.

    python benchmarks/codecs.py [--instances 1 64 512] [--repeats 7]
                                [--threads 1] [--record results/....json]

Pairs (same settings, same run, seeded inputs): DARKHeatmap against
``MSRAHeatmap(unbiased=True)`` and UDPCodec against ``UDPHeatmap`` on 64x48
heatmaps (input 256x192, sigma 2, K=17); SimDRLabel against ``SimCCLabel`` on
384/512-long vectors (k=2, sigma 6), plain and with the sub-bin refinement
(``use_dark=True`` for both). Encoding is timed per instance, as the
data pipeline calls it. Decoding is timed as a head does it: ours through
``batch_decode`` on the (B, K, H, W) / (B, K, L) tensor, MMPose's through
``BaseHead.decode``'s fallback for codecs without batch decoding (one
``decode`` call per instance on NumPy views of the batch, the same memory
ours reads; ``SimCCLabel(use_dark=True)`` writes into those, so each of its
runs gets a fresh copy made before the clock starts). The inputs are the
targets of random keypoints (at least 2 heatmap pixels inside) plus Gaussian
noise, a stand-in for network output. Times are the best of ``--repeats``
runs, MMPose's and ours alternating (so that both see the same load on a
shared machine); ratios are MMPose's time over ours (the decode ratio of the
medians is printed as well). ``max |diff|`` is the largest difference of the
decoded coordinates (input pixels) and of the encoded targets; for
``use_dark`` it includes the steps of just over 2 bins that our refinement
bounds at 2 (docs/codecs.md, "Bounded refinement").
"""
import argparse

import numpy as np
import torch
from mmpose.codecs import MSRAHeatmap, SimCCLabel, UDPHeatmap
from mmpose.utils.tensor_utils import to_numpy

from mmpose_ext.codecs import DARKHeatmap, SimDRLabel, UDPCodec
from mmpose_ext.utils.run_record import (LoadSampler, alternating_times,
                                         finish_benchmark)

INPUT, HEATMAP, K = (192, 256), (48, 64), 17


def best_times(fn_a, fn_b, repeats):
    """Best (minimum) run times of two functions, run alternately so that
    both see the same load. On a machine shared with other jobs the minimum
    is the least disturbed measurement (as ``timeit`` advises); medians are
    printed too."""
    times = alternating_times([fn_a, fn_b], repeats)
    return (min(times[0]), min(times[1]), float(np.median(times[0])),
            float(np.median(times[1])))


def pairs():
    """(name, ours, MMPose's) codec pairs with the same settings."""
    return [
        ('DARK', DARKHeatmap(INPUT, HEATMAP, sigma=2),
         MSRAHeatmap(INPUT, HEATMAP, sigma=2, unbiased=True)),
        ('UDP', UDPCodec(INPUT, HEATMAP, sigma=2),
         UDPHeatmap(INPUT, HEATMAP, sigma=2)),
        ('SimDR', SimDRLabel(INPUT, sigma=6.0, simcc_split_ratio=2.0),
         SimCCLabel(INPUT, sigma=6.0, simcc_split_ratio=2.0)),
        ('SimDR use_dark',
         SimDRLabel(INPUT, sigma=6.0, simcc_split_ratio=2.0, use_dark=True),
         SimCCLabel(INPUT, sigma=6.0, simcc_split_ratio=2.0, use_dark=True)),
    ]


def network_like_outputs(ref, keypoints, rng):
    """Targets of the keypoints plus noise: (B, K, H, W) or two (B, K, L)."""
    encoded = [ref.encode(k[None]) for k in keypoints]
    if 'heatmaps' in encoded[0]:
        maps = np.stack([e['heatmaps'] for e in encoded])
        return (maps + rng.normal(0, 0.02, maps.shape).astype(np.float32), )
    outputs = []
    for key in ('keypoint_x_labels', 'keypoint_y_labels'):
        vectors = np.concatenate([e[key] for e in encoded])
        outputs.append(vectors + rng.normal(0, 1e-3, vectors.shape).astype(
            np.float32))
    return tuple(outputs)


def mmpose_head_decode(ref, outputs):
    """BaseHead.decode for a codec without batch_decode."""
    tensors = tuple(torch.from_numpy(o) for o in outputs)
    if len(tensors) == 1:  # heatmaps: one tensor, one array per sample
        return [ref.decode(s) for s in to_numpy(tensors[0], unzip=True)]
    return [ref.decode(*s) for s in to_numpy(tensors, unzip=True)]


def benchmark(name, ours, ref, n, repeats, rng):
    margin = np.array(INPUT) / np.array(HEATMAP) * 2 + 2
    keypoints = rng.uniform(margin, np.array(INPUT) - margin,
                            (n, K, 2)).astype(np.float32)
    # encoding, one instance per call
    t_enc_ref, t_enc_ours, _, _ = best_times(
        lambda: [ref.encode(k[None]) for k in keypoints],
        lambda: [ours.encode(k[None]) for k in keypoints], repeats)
    enc_diff = 0.0
    for k in keypoints[:64]:
        a, b = ours.encode(k[None]), ref.encode(k[None])
        for key in a:
            enc_diff = max(enc_diff, float(np.abs(a[key] - b[key]).max()))
    # decoding a batch of network-like outputs
    outputs = network_like_outputs(ref, keypoints, rng)
    tensors = tuple(torch.from_numpy(o) for o in outputs)
    if getattr(ref, 'use_dark', False):
        # SimCCLabel(use_dark=True) blurs and logs its input in place: a
        # fresh copy for every run (warm-up, repeats, the comparison)
        copies = iter([tuple(o.copy() for o in outputs)
                       for _ in range(repeats + 2)])
    else:  # the same arrays for both, as a head's output
        copies = iter([outputs] * (repeats + 2))
    t_dec_ref, t_dec_ours, m_dec_ref, m_dec_ours = best_times(
        lambda: mmpose_head_decode(ref, next(copies)),
        lambda: ours.batch_decode(*tensors), repeats)
    theirs = np.concatenate(
        [k for k, _ in mmpose_head_decode(ref, next(copies))])
    mine = np.concatenate(ours.batch_decode(*tensors)[0])
    dec_diff = float(np.abs(theirs - mine).max())
    return dict(
        codec=name, n=n, enc_ref=t_enc_ref, enc_ours=t_enc_ours,
        dec_ref=t_dec_ref, dec_ours=t_dec_ours,
        dec_median_ratio=m_dec_ref / m_dec_ours, enc_diff=enc_diff,
        dec_diff=dec_diff)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--instances', nargs='+', type=int,
                        default=[1, 64, 512])
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (MMPose decodes on one core)')
    parser.add_argument('--codecs', nargs='+', default=None,
                        help='names of the pairs to run (default: all): '
                        + ', '.join(repr(name) for name, _, _ in pairs()))
    parser.add_argument('--record', default=None,
                        help='write the table and the machine as JSON here')
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    lines = [
        f'torch threads: {torch.get_num_threads()}; times are the best of '
        f'{args.repeats} runs in ms; ratio = MMPose time / ours',
        '| codec vs MMPose | instances | encode ms (MMPose / ours) | '
        'encode ratio | decode ms (MMPose / ours) | decode ratio | '
        'decode ratio of medians | max decode diff px | max target diff |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    print('\n'.join(lines))
    rows = []
    with LoadSampler() as load:
        for name, ours, ref in pairs():
            if args.codecs is not None and name not in args.codecs:
                continue
            for n in args.instances:
                r = benchmark(name, ours, ref, n, args.repeats, rng)
                rows.append(r)
                lines.append(
                    f"| {r['codec']} vs {type(ref).__name__} | {n} | "
                    f"{r['enc_ref'] * 1e3:.2f} / {r['enc_ours'] * 1e3:.2f} | "
                    f"{r['enc_ref'] / r['enc_ours']:.1f}x | "
                    f"{r['dec_ref'] * 1e3:.2f} / {r['dec_ours'] * 1e3:.2f} | "
                    f"{r['dec_ref'] / r['dec_ours']:.1f}x | "
                    f"{r['dec_median_ratio']:.1f}x | "
                    f"{r['dec_diff']:.1e} | {r['enc_diff']:.1e} |")
                print(lines[-1])
    finish_benchmark('codecs', args.record, load, rows, lines,
                     threads=torch.get_num_threads(),
                     repeats=args.repeats)

if __name__ == '__main__':
    main()
