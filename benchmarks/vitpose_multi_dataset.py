"""Multi-dataset ViTPose against the same model trained on COCO alone, on the
embedded synthetic data, for equal iterations and seeds.

    python benchmarks/vitpose_multi_dataset.py [--seeds 0 1] [--iters 800] \\
        [--parallel 2] [--backbone vit-tiny|resnet18] [--work-dir DIR]

needs ``data/synthetic`` and ``data/synthetic_aic`` (docs/synthetic.md):

    python -m mmpose_ext.synthetic --out data/synthetic
    python -m mmpose_ext.synthetic --out data/synthetic_aic \\
        --seed 1 --extra-formats aic

Each run is ``mim train`` of
``configs/vitpose/td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py``
(COCO-format + AIC-format heads, 8 + 8 crops per batch) or
``configs/vitpose/td-hm_vitpose-tiny_synthetic-coco-128x96.py`` (the same
model, COCO head only, the same 8 COCO crops per batch), one thread,
``randomness.seed=S``, validated at the end on the COCO-format val split
(simulated detections, CocoMetric; the multi-dataset run also on the
AIC-format val split). Prints a markdown table of the final metrics.

``--backbone resnet18`` runs the same comparison with MMPose's ResNet-18 and
SimpleBaseline's deconvolution heads in the same estimator:
``configs/simplebaseline/td-hm_res18-multi_synthetic-coco-aic-128x96.py``
against ``configs/simplebaseline/td-hm_res18_synthetic-coco-128x96.py``
(Adam 3e-3, milder augmentation; a backbone that gets off zero AP within a
CPU budget from scratch). The cosine schedule of every run is set to end at
``--iters``.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

CONFIGS = {
    'vit-tiny': {
        'multi-dataset (COCO + AIC heads)':
        'configs/vitpose/'
        'td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py',
        'COCO only':
        'configs/vitpose/td-hm_vitpose-tiny_synthetic-coco-128x96.py',
    },
    'resnet18': {
        'multi-dataset (COCO + AIC heads)':
        'configs/simplebaseline/'
        'td-hm_res18-multi_synthetic-coco-aic-128x96.py',
        'COCO only':
        'configs/simplebaseline/td-hm_res18_synthetic-coco-128x96.py',
    },
}


def final_metrics(work_dir):
    """The last validation record of the run's scalars.json."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no scalars.json under {work_dir}')
    last = None
    with open(files[-1]) as f:
        for line in f:
            record = json.loads(line)
            if 'coco/AP' in record:
                last = record
    return last


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--iters', type=int, default=800)
    parser.add_argument('--parallel', type=int, default=2)
    parser.add_argument('--backbone', choices=sorted(CONFIGS),
                        default='vit-tiny')
    parser.add_argument('--work-dir', default=None,
                        help='default: work_dirs/multi_dataset_bench for '
                        'vit-tiny, work_dirs/multi_dataset_bench_BACKBONE '
                        'otherwise')
    args = parser.parse_args(argv)
    if args.work_dir is None:
        args.work_dir = 'work_dirs/multi_dataset_bench' + (
            '' if args.backbone == 'vit-tiny' else f'_{args.backbone}')
    bin_dir = osp.dirname(sys.executable)
    mim = osp.join(bin_dir, 'mim')
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    jobs = []
    for seed in args.seeds:
        for name, config in CONFIGS[args.backbone].items():
            tag = 'multi' if 'multi' in name else 'coco'
            work = osp.join(args.work_dir, f'{tag}_seed{seed}')
            cmd = [mim, 'train', 'mmpose_ext', config, '--work-dir', work,
                   '--cfg-options', f'randomness.seed={seed}',
                   f'train_cfg.max_iters={args.iters}',
                   f'train_cfg.val_interval={args.iters}',
                   # the cosine decay ends with the run (the configs' own
                   # schedule is written for their max_iters)
                   f'param_scheduler.1.end={args.iters}',
                   f'param_scheduler.1.T_max={args.iters - 50}',
                   f'default_hooks.checkpoint.interval={args.iters}']
            jobs.append((name, seed, work, cmd))
    running, done = [], []
    start = time.time()
    pending = list(jobs)
    while pending or running:
        while pending and len(running) < args.parallel:
            name, seed, work, cmd = pending.pop(0)
            os.makedirs(work, exist_ok=True)
            log = open(osp.join(work, 'stdout.log'), 'w')
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                    env=env)
            running.append((proc, log, name, seed, work, time.time()))
        time.sleep(2)
        for item in list(running):
            proc, log, name, seed, work, t0 = item
            if proc.poll() is not None:
                log.close()
                running.remove(item)
                if proc.returncode != 0:
                    raise SystemExit(f'{name} seed {seed} failed; see '
                                     f'{work}/stdout.log')
                done.append((name, seed, work, time.time() - t0))
                print(f'done: {name}, seed {seed} ({time.time() - t0:.0f} s)',
                      flush=True)
    print(f'\nall runs: {time.time() - start:.0f} s wall\n')
    print(f'backbone: {args.backbone}\n')
    print('| model | seed | iterations | COCO-format val AP | AP .5 | AP .75 '
          '| AR | AIC-format val AP |')
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for name, seed, work, _ in sorted(done, key=lambda d: (d[0], d[1])):
        m = final_metrics(work)
        aic = f'{m["aic/AP"]:.3f}' if 'aic/AP' in m else '-'
        print(f'| {name} | {seed} | {args.iters} | {m["coco/AP"]:.3f} | '
              f'{m["coco/AP .5"]:.3f} | {m["coco/AP .75"]:.3f} | '
              f'{m["coco/AR"]:.3f} | {aic} |')


if __name__ == '__main__':
    main()
