"""Parameters, GFLOPs and CPU forward latency of ViTPose.

    python benchmarks/vitpose_complexity.py [--repeats 10] [--threads 2]
        [--record results/benchmarks/vitpose_complexity.json]

* Parameters of the four backbones (counted on the meta device) beside the
  ViTPose paper's Table 9 and the official checkpoints' tensor shapes.
* GFLOPs of ViTPose-S/B at 256x192 with MMEngine's counter
  (``mmengine.analysis``, one multiply-add = one FLOP, as fvcore). The
  counter has no handle for ``aten::scaled_dot_product_attention``, through
  which PyTorch runs the attention products, so they are uncounted in its raw
  figure; the second column is :func:`mmpose_ext.utils.flop_analyzer`, which
  adds a handle (2 matmuls: ``B*heads*N*N*d`` each), for the figure
  comparable with the paper's 17.1 GFLOPs of ViTPose-B (Tables 6 and 8).
  MMPose's model zoo (vitpose_coco.md / .yml) lists no FLOPs.
* CPU latency (eval mode, batch 1, 256x192, median of ``--repeats`` after a
  warm-up; wall time and process CPU time) of the whole model, next to
  MMPose's SimpleBaseline ResNet-50 (``ResNet`` + ``HeatmapHead``, the host's
  reference top-down model) in the same run; the CPU-time ratio is the number
  that survives a shared machine.
"""
import argparse
import statistics
import time

import torch
from mmengine.analysis import FlopAnalyzer
from mmpose.registry import MODELS
from mmpose.utils import register_all_modules

from mmpose_ext.utils import flop_analyzer
from mmpose_ext.utils.run_record import LoadSampler, finish_benchmark
from mmpose_ext.utils.benchmark_models import TensorForward, build_model

PAPER_PARAMS_M = {'base': 86, 'large': 307, 'huge': 632}


def gflops(model, x, with_sdpa):
    """GFLOPs by MMEngine's counter as it is (``with_sdpa=False``) or with
    mmpose_ext's handles, which count the fused attention products."""
    analyzer = flop_analyzer(model, (x, )) if with_sdpa else FlopAnalyzer(
        model, (x, ))
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    return analyzer.total() / 1e9


def latencies_ms(models, x, repeats):
    """Median wall time and median process CPU time (all threads) of one
    forward of each model, in ms. The models take turns in every round, so a
    change of machine load hits all of them alike; CPU time is what a forward
    costs even when other processes hold the cores."""
    wall = [[] for _ in models]
    cpu = [[] for _ in models]
    with torch.no_grad():
        for model in models:
            model(x)
        for _ in range(repeats):
            for i, model in enumerate(models):
                w0, c0 = time.perf_counter(), time.process_time()
                model(x)
                wall[i].append(time.perf_counter() - w0)
                cpu[i].append(time.process_time() - c0)
    return [(1e3 * statistics.median(w), 1e3 * statistics.median(c))
            for w, c in zip(wall, cpu)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--record', default=None,
                        help='write the tables and the machine as JSON here')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    register_all_modules()

    # the first line heads the record; the tables follow
    lines = [f'torch {torch.__version__}, {args.threads} threads, '
             f'{args.repeats} repeats (median)']
    load = LoadSampler().__enter__()
    lines.append('| backbone | params (M) | paper Table 9 (M) | difference |')
    lines.append('| --- | ---: | ---: | ---: |')
    for arch in ('small', 'base', 'large', 'huge'):
        with torch.device('meta'):
            backbone = MODELS.build(dict(type='PlainViT', arch=arch))
        n = sum(p.numel() for p in backbone.parameters()) / 1e6
        paper = PAPER_PARAMS_M.get(arch)
        diff = f'{100 * (n / paper - 1):+.2f}%' if paper else '-'
        lines.append(f'| ViT-{arch[0].upper()} | {n:.2f} | {paper or "-"} | {diff} |')

    x = torch.randn(1, 3, 256, 192)
    host = TensorForward(MODELS.build(dict(
        type='TopdownPoseEstimator',
        backbone=dict(type='ResNet', depth=50),
        head=dict(type='HeatmapHead', in_channels=2048, out_channels=17,
                  loss=dict(type='KeypointMSELoss'))))).eval()
    rows = [('ViTPose-S classic', 'configs/vitpose_s.py'),
            ('ViTPose-S simple', 'configs/vitpose_s_simple.py'),
            ('ViTPose-B classic', 'configs/vitpose_b.py'),
            ('ViTPose-B simple', 'configs/vitpose_b_simple.py')]
    models = [build_model(config) for _, config in rows]
    *times, host_ms = latencies_ms(models + [host], x, args.repeats)
    load.__exit__(None, None, None)
    lines.append('')
    lines.append('| model (256x192) | params (M) | GFLOPs, MMEngine counter | '
          'GFLOPs, + attention products | backbone GFLOPs, + attention | '
          'latency, wall (ms) | CPU time (ms) | CPU time / SimpleBaseline-R50 |')
    lines.append('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for (name, _), model, ms in zip(rows, models, times):
        params = sum(p.numel() for p in model.parameters()) / 1e6
        raw = gflops(model, x, with_sdpa=False)
        full = gflops(model, x, with_sdpa=True)
        backbone = gflops(model.model.backbone, x, with_sdpa=True)
        lines.append(f'| {name} | {params:.2f} | {raw:.2f} | {full:.2f} | '
              f'{backbone:.2f} | {ms[0]:.1f} | {ms[1]:.1f} | '
              f'{ms[1] / host_ms[1]:.2f} |')
    host_gflops = gflops(host, x, with_sdpa=False)
    lines.append(f'| SimpleBaseline-R50 (MMPose) | '
          f'{sum(p.numel() for p in host.parameters()) / 1e6:.2f} | '
          f'{host_gflops:.2f} | {host_gflops:.2f} | - | {host_ms[0]:.1f} | '
          f'{host_ms[1]:.1f} | 1.00 |')
    print('\n'.join(lines))
    finish_benchmark('vitpose_complexity', args.record, load, [], lines,
                     threads=args.threads, repeats=args.repeats)


if __name__ == '__main__':
    main()
