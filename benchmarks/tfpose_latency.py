"""CPU latency of tfpose_r50 beside MMPose's SimpleBaseline-R50, batch 1 and
32, in one run.

    .venv/bin/python benchmarks/tfpose_latency.py [--repeats 5] [--threads N]
                                                  [--record results/....json]

What is timed: ``model._forward(images)`` under ``torch.no_grad()`` in eval
mode (backbone, neck, head forward at 256x192: the inference graph, without
flip test, decoding or data loading), median of ``--repeats`` runs after one
warm-up run. The two models alternate run by run, so a machine shared with
other work slows both alike; compare the ratio column, not the milliseconds,
across machines.
"""
import argparse
import statistics
from functools import partial

import torch

from mmpose_ext.utils.benchmark_models import SIMPLEBASELINE_R50, build_model
from mmpose_ext.utils.run_record import (LoadSampler, alternating_times,
                                         finish_benchmark)

TFPOSE_R50 = 'configs/tfpose/tfpose_res50_8xb32-210e_coco-256x192.py'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 32])
    parser.add_argument('--record', default=None,
                        help='write the table and the machine as JSON here')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    models = {
        'SimpleBaseline-R50': build_model(SIMPLEBASELINE_R50),
        'tfpose_r50': build_model(TFPOSE_R50),
    }
    lines = [f'torch {torch.__version__}, {torch.get_num_threads()} threads, '
             f'median of {args.repeats} runs',
             '| batch | model | ms / batch | images / s | ratio to SB-R50 |',
             '| --- | --- | --- | --- | --- |']
    print('\n'.join(lines))
    rows = []
    with LoadSampler() as load:
        for batch in args.batch_sizes:
            images = torch.randn(batch, 3, 256, 192)
            with torch.no_grad():
                times = dict(zip(models, alternating_times(
                    [partial(model, images) for model in models.values()],
                    args.repeats)))
            base = statistics.median(times['SimpleBaseline-R50'])
            for name, ts in times.items():
                t = statistics.median(ts)
                rows.append(dict(batch=batch, model=name, ms=t * 1e3,
                                 ratio=t / base))
                lines.append(f'| {batch} | {name} | {t * 1e3:.1f} | '
                             f'{batch / t:.1f} | {t / base:.2f} |')
                print(lines[-1])
    finish_benchmark('tfpose_latency', args.record, load, rows, lines,
                     threads=torch.get_num_threads(),
                     repeats=args.repeats)

if __name__ == '__main__':
    main()
