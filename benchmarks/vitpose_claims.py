"""The ViTPose notes' claims measured on the embedded synthetic set.

    python benchmarks/vitpose_claims.py [--seeds 0 1] [--jobs 2] \
        [--work-dir work_dirs/vitpose_claims] [--iters 300]

A tiny ViTPose (width 64, 4 layers, 128x96, classic decoder) and a
half-width student, every run ``mim train`` of a config in
``configs/vitpose/*_synthetic-128x96.py`` with the same number of
fine-tuning iterations, seeded (``randomness.seed``), one thread per run
(``OMP_NUM_THREADS=1``), ``--jobs`` runs at a time, evaluated with MMPose's
``CocoMetric`` on the synthetic val set with the simulated detector's boxes.
Per seed:

1. MAE pre-training of the backbone on the training crops; fine-tuning from
   it and from scratch (classic decoder); the simple decoder from scratch;
   fine-tuning from MAE with the attention branches frozen and with the FFN
   branches frozen.
2. The MAE-initialised model as the teacher: stage 1 (one learnable token on
   the frozen teacher), token export, then three half-width students trained
   identically: with the knowledge token (mapped by the fitted linear map),
   with a random token of the same norm, without token; and a half-width
   student with the teacher's heatmaps (output distillation).

The synthetic data are made first if ``data/synthetic`` (or
``$MMPOSE_EXT_SYNTHETIC``) lacks them. Prints the markdown table of
docs/vitpose.md and writes ``results.json`` in the work dir.
"""
import argparse
import json
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

CFG = 'configs/vitpose/'
SCRATCH = CFG + 'td-hm_vitpose-tiny_synthetic-128x96.py'
SIMPLE = CFG + 'td-hm_vitpose-tiny-simple_synthetic-128x96.py'
MAE = CFG + 'mae_vitpose-tiny_synthetic-128x96.py'
FINETUNE = CFG + 'td-hm_vitpose-tiny-mae_synthetic-128x96.py'
FREEZE_ATTN = CFG + 'td-hm_vitpose-tiny-mae-freeze-attn_synthetic-128x96.py'
FREEZE_FFN = CFG + 'td-hm_vitpose-tiny-mae-freeze-ffn_synthetic-128x96.py'
STAGE1 = CFG + 'td-hm_vitpose-tiny-token-teacher_synthetic-128x96.py'
NARROW = CFG + 'td-hm_vitpose-narrow_synthetic-128x96.py'
TOKEN = CFG + 'td-hm_vitpose-narrow-token-student_synthetic-128x96.py'
RANDOM = CFG + 'td-hm_vitpose-narrow-random-token-student_synthetic-128x96.py'
HEATMAP = CFG + 'td-hm_vitpose-narrow-heatmap-student_synthetic-128x96.py'

# (claim, [(row label, run name)]) in table order
TABLE = [
    ('pre-training', [('from scratch', 'scratch'),
                      ('MAE on the training crops', 'mae_finetune')]),
    ('decoder (from scratch)', [('classic', 'scratch'),
                                ('simple', 'simple')]),
    ('fine-tuning from MAE', [('all trainable', 'mae_finetune'),
                              ('MHSA frozen', 'freeze_attn'),
                              ('FFN frozen', 'freeze_ffn')]),
    ('half-width student, token', [('knowledge token (fitted map)', 'token'),
                                   ('random token, same norm', 'random'),
                                   ('no token', 'narrow')]),
    ('half-width student, output distillation',
     [('teacher heatmaps', 'heatmap'), ('none', 'narrow')]),
    ('reference', [('teacher (= MAE fine-tuned) + learned token, stage 1',
                    'stage1')]),
]


# mim of this interpreter's environment, else the one on PATH
_MIM = osp.join(osp.dirname(sys.executable), 'mim')
MIM = _MIM if osp.isfile(_MIM) else 'mim'


def run(name, args, work_dir, log):
    """One command, one thread (``OMP_NUM_THREADS=1``); returns its wall
    seconds."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    start = time.perf_counter()
    with open(osp.join(work_dir, f'{name}.out'), 'w') as out:
        proc = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT,
                              env=env)
    seconds = time.perf_counter() - start
    log(f'{name}: exit {proc.returncode}, {seconds:.0f} s')
    if proc.returncode:
        raise RuntimeError(f'{name} failed; see {work_dir}/{name}.out')
    return seconds


def schedule(jobs, num_workers, log):
    """Run ``jobs`` (name -> (priority, deps, fn)) with at most
    ``num_workers`` at once; among the jobs whose dependencies are done,
    the lowest priority number starts first. Returns name -> result; a
    failed job's dependants are skipped."""
    done, failed, running = {}, set(), {}
    with ThreadPoolExecutor(num_workers) as pool:
        while len(done) + len(failed) < len(jobs):
            blocked = [n for n, (_, deps, _) in jobs.items()
                       if n not in done and n not in failed
                       and n not in running and set(deps) & failed]
            failed.update(blocked)
            ready = sorted(
                (prio, n) for n, (prio, deps, _) in jobs.items()
                if n not in done and n not in failed and n not in running
                and all(d in done for d in deps))
            while ready and len(running) < num_workers:
                _, name = ready.pop(0)
                running[name] = pool.submit(jobs[name][2])
            if not running:
                break
            finished, _ = wait(running.values(), return_when=FIRST_COMPLETED)
            for name in [n for n, f in running.items() if f in finished]:
                future = running.pop(name)
                try:
                    done[name] = future.result()
                except Exception as err:  # report, keep the others going
                    log(f'{name}: {err}')
                    failed.add(name)
    return done


_METRIC = re.compile(r'(coco/A[PR](?: \.5| \.75| \([ML]\))?|PCK): '
                     r'(-?[0-9.]+)')


def last_metrics(out_file):
    """The ``coco/*`` and ``PCK`` values of the last evaluation printed in a
    run's output."""
    found = None
    with open(out_file) as f:
        for line in f:
            if 'coco/AP:' in line:
                found = dict(_METRIC.findall(line))
    if found is None:
        raise RuntimeError(f'no coco/AP in {out_file}')
    return {k: float(v) for k, v in found.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--iters', type=int, default=300,
                        help='iterations of every pose training run (and '
                        'of MAE pre-training)')
    parser.add_argument('--work-dir', default='work_dirs/vitpose_claims')
    parser.add_argument(
        '--report-only', action='store_true',
        help='only make the table from the runs\' outputs in --work-dir')
    parser.add_argument(
        '--resume-eval', action='store_true',
        help='evaluate runs whose last checkpoint exists (mim test) instead '
        'of training them again')
    args = parser.parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    logfile = open(osp.join(args.work_dir, 'claims.log'), 'a')

    def log(msg):
        line = f'[{time.strftime("%H:%M:%S")}] {msg}'
        print(line, flush=True)
        logfile.write(line + '\n')
        logfile.flush()

    data = os.environ.get('MMPOSE_EXT_SYNTHETIC', 'data/synthetic')
    if not osp.isfile(osp.join(data, 'annotations',
                               'person_keypoints_train.json')):
        log(f'making the synthetic data in {data}')
        subprocess.run([sys.executable, '-m', 'mmpose_ext.synthetic',
                        '--out', data], check=True)

    n = args.iters
    it = [f'train_cfg.max_iters={n}', f'train_cfg.val_interval={n}',
          f'default_hooks.checkpoint.interval={n}',
          f'param_scheduler.1.end={n}', f'param_scheduler.1.T_max={n}']
    stage1_iters = 100  # its own, shorter schedule (the config's)

    def wd(name, seed):
        return osp.join(args.work_dir, f'{name}_seed{seed}')

    def train(name, config, seed, *options, iters=it):
        """``mim train``; a run whose last checkpoint exists is evaluated
        again with ``mim test`` instead (``--resume-eval``)."""
        last = osp.join(wd(name, seed),
                        f'iter_{n if iters else stage1_iters}.pth')
        if args.resume_eval and osp.isfile(last) and name != 'mae':
            cmd = [MIM, 'test', 'mmpose_ext', config, '--checkpoint', last,
                   '--work-dir', wd(name, seed) + '_test']
        else:
            cmd = [MIM, 'train', 'mmpose_ext', config, '--work-dir',
                   wd(name, seed)]
        if args.resume_eval and osp.isfile(last) and name == 'mae':
            return lambda: 0.
        return lambda: run(f'{name}_seed{seed}', [
            *cmd, '--cfg-options', f'randomness.seed={seed}', *iters,
            *options
        ], args.work_dir, log)

    def export(seed):
        stage1 = wd('stage1', seed)
        return lambda: run(f'export_seed{seed}', [
            sys.executable, '-m', 'mmpose_ext.tools.export_knowledge_tokens',
            osp.join(stage1, f'iter_{stage1_iters}.pth'),
            osp.join(stage1, 'knowledge_tokens.pth')
        ], args.work_dir, log)

    # priorities: MAE vs scratch and token vs controls first (the issue's
    # order), then the decoder, partial fine-tuning and output distillation
    jobs = {}
    for s in args.seeds:
        mae = 'model.backbone.init_cfg.checkpoint=' + osp.join(
            wd('mae', s), f'iter_{n}.pth')
        teacher = 'model.teacher_checkpoint=' + osp.join(
            wd('mae_finetune', s), f'iter_{n}.pth')
        tokens = 'model.backbone.knowledge_tokens.token_file=' + osp.join(
            wd('stage1', s), 'knowledge_tokens.pth')
        jobs.update({
            f'mae@{s}': (0, [], train('mae', MAE, s)),
            f'scratch@{s}': (1, [], train('scratch', SCRATCH, s)),
            f'mae_finetune@{s}': (0, [f'mae@{s}'],
                                 train('mae_finetune', FINETUNE, s, mae)),
            f'stage1@{s}': (0, [f'mae_finetune@{s}'], train(
                'stage1', STAGE1, s, teacher, iters=[])),
            f'export@{s}': (0, [f'stage1@{s}'], export(s)),
            f'token@{s}': (1, [f'export@{s}'], train('token', TOKEN, s,
                                                    tokens)),
            f'random@{s}': (1, [f'export@{s}'], train('random', RANDOM, s,
                                                     tokens)),
            f'narrow@{s}': (2, [], train('narrow', NARROW, s)),
            f'simple@{s}': (3, [], train('simple', SIMPLE, s)),
            f'freeze_attn@{s}': (3, [f'mae@{s}'],
                                train('freeze_attn', FREEZE_ATTN, s, mae)),
            f'freeze_ffn@{s}': (3, [f'mae@{s}'],
                               train('freeze_ffn', FREEZE_FFN, s, mae)),
            f'heatmap@{s}': (3, [f'mae_finetune@{s}'],
                            train('heatmap', HEATMAP, s, teacher)),
        })
    if args.report_only:
        timings = {job: None for job in jobs}
    else:
        timings = schedule(jobs, args.jobs, log)

    results = {}
    for job in timings:
        name, seed = job.split('@')
        if name not in ('mae', 'export'):
            results[f'{name}_seed{seed}'] = last_metrics(
                osp.join(args.work_dir, f'{name}_seed{seed}.out'))
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(dict(results=results, seconds=timings), f, indent=1)

    seeds = args.seeds
    print('| claim | setting | ' + ' | '.join(
        f'PCK@0.2 seed {s}' for s in seeds) + ' | PCK@0.2 mean | AP mean | '
        'AP .5 mean | AR mean |')
    print('| --- | --- |' + ' ---: |' * (len(seeds) + 4))
    for claim, rows in TABLE:
        for label, name in rows:
            if not all(f'{name}_seed{s}' in results for s in seeds):
                print(f'| {claim} | {label} | not run |')
                continue

            def values(key):
                return [results[f'{name}_seed{s}'][key] for s in seeds]

            print(f'| {claim} | {label} | ' + ' | '.join(
                f'{v:.3f}' for v in values('PCK')) +
                f' | {statistics.mean(values("PCK")):.3f} | ' + ' | '.join(
                    f'{statistics.mean(values(k)):.4f}'
                    for k in ('coco/AP', 'coco/AP .5', 'coco/AR')) + ' |')


if __name__ == '__main__':
    main()
