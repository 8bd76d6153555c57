"""CPU time of MMCV's PyTorch multi-scale deformable sampling (one
``grid_sample`` per level) against this package's compiled CPU kernel
(``mmpose_ext.ops.ms_deform_attn_cpu``) and one-gather sampling
(``mmpose_ext.models.layers.multi_scale_deformable_attn_gather``), forward
and forward + backward, at TFPose's encoder and decoder shapes on the
synthetic set (128x96 input: levels 16x12, 8x6, 4x3), in one run.

    .venv/bin/python benchmarks/deformable_sampling.py [--repeats 12] [--threads 1]
                                                       [--record results/....json]
"""
import argparse
import statistics
import time

import torch
from mmcv.ops.multi_scale_deform_attn import \
    multi_scale_deformable_attn_pytorch

from mmpose_ext.models.layers import multi_scale_deformable_attn_gather
from mmpose_ext.ops import ms_deform_attn_cpu, ms_deform_attn_kernel
from mmpose_ext.utils.run_record import LoadSampler, finish_benchmark

SHAPES = torch.tensor([(16, 12), (8, 6), (4, 3)])
STARTS = torch.tensor([0, 192, 240])


def kernel(value, shapes, loc, weights):
    return ms_deform_attn_cpu(value, shapes, STARTS, loc, weights)


SAMPLERS = {'MMCV': multi_scale_deformable_attn_pytorch, 'kernel': kernel,
            'gather': multi_scale_deformable_attn_gather}


def _median_ms(fn, repeats, backward):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        if backward:
            out.sum().backward()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times[2:])  # the first two warm up


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=12)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--record', default=None,
                        help='write the table and the machine as JSON here')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if ms_deform_attn_kernel() is None:
        raise SystemExit('the CPU kernel is not built: python -m '
                         'mmpose_ext.ops.build -v')
    n = int(SHAPES.prod(1).sum())
    names = list(SAMPLERS)
    lines = [
        f'{torch.get_num_threads()} thread(s), median of '
        f'{args.repeats - 2} runs, batch 8, 8 heads, 3 levels x 4 points',
        '| queries | head dim | ' + ' | '.join(
            f'{name} fwd+bwd ms' for name in names) + ' | ' + ' | '.join(
                f'{name} fwd ms' for name in names) +
        ' | MMCV / kernel fwd+bwd | MMCV / kernel fwd |',
        '| ---: ' * (2 * len(names) + 4) + '|']
    print('\n'.join(lines))
    g = torch.Generator().manual_seed(0)
    rows = []
    with LoadSampler() as load:
        for queries, dims in ((n, 16), (n, 32), (17, 16), (17, 32)):
            value = torch.randn(8, n, 8, dims, generator=g,
                                requires_grad=True)
            loc = torch.rand(8, queries, 8, 3, 4, 2, generator=g,
                             requires_grad=True)
            weights = torch.rand(8, queries, 8, 3, 4, generator=g,
                                 requires_grad=True)
            row = {}
            for backward in (True, False):
                for name, fn in SAMPLERS.items():
                    with torch.set_grad_enabled(backward):
                        row[name, backward] = _median_ms(
                            lambda: fn(value, SHAPES, loc, weights),
                            args.repeats, backward)
            cells = [row[name, True] for name in names] + \
                [row[name, False] for name in names]
            ratios = [row['MMCV', b] / row['kernel', b]
                      for b in (True, False)]
            rows.append(dict(queries=queries, dims=dims, **{
                f'{name} {"fwd+bwd" if b else "fwd"} ms': row[name, b]
                for name in names for b in (True, False)}))
            lines.append(f'| {queries} | {dims} | ' +
                         ' | '.join(f'{t:.1f}' for t in cells) + ' | ' +
                         ' | '.join(f'{r:.2f}x' for r in ratios) + ' |')
            print(lines[-1])
    finish_benchmark('deformable_sampling', args.record, load, rows, lines,
                     threads=torch.get_num_threads(),
                     repeats=args.repeats)


if __name__ == '__main__':
    main()
