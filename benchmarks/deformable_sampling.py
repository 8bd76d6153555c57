"""CPU time of MMCV's PyTorch multi-scale deformable sampling (one
``grid_sample`` per level) against the one-gather sampling of
``mmpose_ext.models.layers.multi_scale_deformable_attn_gather``, forward and
forward + backward, at TFPose's encoder and decoder shapes on the synthetic
set (128x96 input: levels 16x12, 8x6, 4x3).

    .venv/bin/python benchmarks/deformable_sampling.py [--repeats 12] [--threads 1]
"""
import argparse
import statistics
import time

import torch
from mmcv.ops.multi_scale_deform_attn import \
    multi_scale_deformable_attn_pytorch

from mmpose_ext.models.layers import multi_scale_deformable_attn_gather

SHAPES = torch.tensor([(16, 12), (8, 6), (4, 3)])


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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    n = int(SHAPES.prod(1).sum())
    print(f'{torch.get_num_threads()} thread(s), median of '
          f'{args.repeats - 2} runs, batch 8, 8 heads, 3 levels x 4 points')
    print('| queries | head dim | MMCV fwd+bwd ms | gather fwd+bwd ms | '
          'MMCV fwd ms | gather fwd ms |')
    print('| ---: | ---: | ---: | ---: | ---: | ---: |')
    g = torch.Generator().manual_seed(0)
    for queries, dims in ((n, 16), (n, 32), (17, 16), (17, 32)):
        value = torch.randn(8, n, 8, dims, generator=g, requires_grad=True)
        loc = torch.rand(8, queries, 8, 3, 4, 2, generator=g,
                         requires_grad=True)
        weights = torch.rand(8, queries, 8, 3, 4, generator=g,
                             requires_grad=True)
        row = []
        for backward in (True, False):
            for fn in (multi_scale_deformable_attn_pytorch,
                       multi_scale_deformable_attn_gather):
                with torch.set_grad_enabled(backward):
                    row.append(_median_ms(
                        lambda: fn(value, SHAPES, loc, weights),
                        args.repeats, backward))
        print(f'| {queries} | {dims} | ' +
              ' | '.join(f'{t:.1f}' for t in row) + ' |')


if __name__ == '__main__':
    main()
