"""Why TFPose converges slowly on the synthetic set: TFPose variants and the
heatmap baseline trained in one run, val AP against iterations and against
training wall time, mean-pose collapse and per-loss gradient norms.

    .venv/bin/python benchmarks/tfpose_convergence.py            # short: sb + quickstart TFPose
    .venv/bin/python benchmarks/tfpose_convergence.py --iters 1500 --eval-every 300 \
        --variants sb tfpose tfpose_paper --seeds 0 1 --jobs 2
    .venv/bin/python benchmarks/tfpose_convergence.py --list     # the variants

Every variant is an MMEngine run of a config (MMPose's Runner, optimizer,
schedulers, CocoMetric), retimed to ``--iters`` iterations (linear warm-up
over the first 50, cosine to zero at ``--iters``), validated every
``--eval-every`` iterations on the synthetic val set with the generated
person detections (what the quickstart reports). Each variant runs in its own
process with ``--threads`` threads (``--jobs`` at a time), seeded
(``randomness=dict(seed=S)``); the table is printed when all have finished.

Measured at each evaluation:

- ``AP``, ``AP .5``: MMPose's CocoMetric, detected boxes, flip test as the
  config says;
- ``train s``: wall time spent in training iterations so far (data waiting
  included, evaluation and diagnostics excluded). Variants running side by
  side share the CPU: compare them within one run, not across machines;
- ``spread``: mean-pose collapse. On val with the ground-truth boxes, each
  prediction and its ground truth in box-normalized coordinates
  (``(x - x0) / w``, ``(y - y0) / h``); per keypoint and axis, the standard
  deviation of the predictions across people divided by that of the ground
  truth, averaged over keypoints and axes (labelled keypoints only). 1 is
  the true variety; one pose for everybody *in the crop* scores
  ``collapsed spread`` (0.34 on the synthetic val set, not 0: the crop is
  the box padded to the input's aspect ratio, and boxes vary);
- ``err``: mean distance between prediction and ground truth in the same
  normalized coordinates, beside ``mean-pose err``, what predicting every
  keypoint's mean position (over val) would score;
- at iterations 1 and every evaluation: the gradient norm that each loss
  group alone puts on the shared layers (the backbone's last stage, the
  neck, the encoder): ``reg`` (all decoder layers' L1), ``aux`` (heatmap
  loss, x lambda), for the baseline ``kpt``.
"""
import argparse
import json
import math
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SB = 'configs/simplebaseline/td-hm_res18_synthetic-128x96.py'
QS = 'configs/tfpose/tfpose_res18_synthetic-128x96.py'
PAPER = 'configs/tfpose/tfpose_res18-paper_synthetic-128x96.py'

# name: (config, overrides merged with Config.merge_from_dict, what it tests)
VARIANTS = {
    'sb': (SB, {}, 'SimpleBaseline-R18 heatmap baseline (Adam 3e-3)'),
    'tfpose': (QS, {}, 'the quickstart TFPose (C 128, N_E 1, N_D 3, FFN 512, '
               'AdamW 3e-3, no clipping, aux sigma 2 at 128 channels)'),
    'tfpose_paper': (PAPER, {}, 'tfpose_r18 architecture (C 256, N_E 6, N_D 6, '
                     'FFN 1024) with the old quickstart recipe (AdamW 1e-3, '
                     'clip 1.0, aux sigma 1 at 256 channels)'),
    'paper_newrecipe': (PAPER, {
        'optim_wrapper.optimizer.lr': 3e-3, 'optim_wrapper.clip_grad': None,
        'model.head.decoder.heatmap.sigma': 2.,
        'train_dataloader.dataset.pipeline.6.encoder.heatmap.sigma': 2.},
        'tfpose_r18 architecture with the quickstart recipe'),
    # causes, one at a time, on the quickstart model
    'tfpose_lr1e-3': (QS, {'optim_wrapper.optimizer.lr': 1e-3},
                      'lr 3e-3 -> 1e-3 (the old recipe)'),
    'tfpose_clip': (QS, {'optim_wrapper.clip_grad': dict(max_norm=1.0)},
                    'gradient clipping at 1.0 (the old recipe) with lambda 50'),
    'tfpose_lrmult': (QS, {'optim_wrapper.paramwise_cfg': dict(
        custom_keys={'head.encoder': dict(lr_mult=0.1),
                     'head.query_decoder': dict(lr_mult=0.1),
                     'head.level_embed': dict(lr_mult=0.1)})},
        "the paper's lr x0.1 on the transformer and keypoint MLPs"),
    'tfpose_nodetach': (QS, {'model.head.detach_refinement': False},
                        'refinement not detached'),
    'tfpose_y0center': (QS, {'model.head.initial_coords': 'center'},
                        'y_0 at the crop centre instead of N(0, 1) logits'),
    'tfpose_sigma1': (QS, {
        'model.head.decoder.heatmap.sigma': 1.,
        'train_dataloader.dataset.pipeline.6.encoder.heatmap.sigma': 1.},
                      'aux targets sigma 2 -> 1 (the old recipe)'),
    'tfpose_lambda5': (QS, {'model.head.aux_head.loss.loss_weight': 5.},
                       'lambda 50 -> 5'),
    'tfpose_l1x10': (QS, {'model.head.loss.loss_weight': 10.},
                     'L1 x10 (regression weighted like pixels of a 10-px '
                     'crop, against lambda)'),
    'tfpose_auxc5': (QS, {'model.head.aux_level': -1,
                          'model.head.aux_head.deconv_out_channels':
                          (128, 128, 128),
                          'model.head.aux_head.deconv_kernel_sizes':
                          (4, 4, 4)},
                     "aux branch on the C5 tokens (the paper's; stride 32, "
                     'three deconvolutions) instead of C3'),
    'tfpose_nd6': (QS, {'model.head.num_decoder_layers': 6},
                   'N_D 3 -> 6 (the paper default; five local refinements)'),
    'tfpose_c2': (QS, {'model.backbone.out_indices': (0, 1, 2, 3),
                       'model.neck.in_channels': [64, 128, 256, 512],
                       'model.head.num_feature_levels': 4,
                       'model.head.aux_level': 1},
                  'C2-C5 in the encoder (the paper default) instead of C3-C5'),
    'tfpose_lambda200': (QS, {'model.head.aux_head.loss.loss_weight': 200.},
                         'lambda 50 -> 200'),
    # the paper's two claims on the quickstart model
    'tfpose_noaux': (QS, {'model.head.aux_head': None},
                     'without the auxiliary heatmap loss'),
    'tfpose_noq2q': (QS, {'model.head.with_q2q': False},
                     'without q2q attention'),
}


def _set_threads(n):
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(n)


def run_variant(name, seed, iters, eval_every, threads, data_root, out,
                schedule_iters=None):
    """One variant in this process; writes its records as JSON to ``out``."""
    _set_threads(threads)
    import numpy as np
    import torch
    torch.set_num_threads(threads)
    from mmengine.config import Config
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    os.environ['MMPOSE_EXT_SYNTHETIC'] = data_root
    config, overrides, _ = VARIANTS[name]
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.merge_from_dict(overrides)
    cfg.work_dir = tempfile.mkdtemp(prefix=f'conv_{name}_{seed}_')
    cfg.randomness = dict(seed=seed)
    cfg.train_cfg = dict(by_epoch=False, max_iters=iters,
                         val_interval=eval_every)
    schedule_iters = schedule_iters or iters
    cfg.param_scheduler = [
        dict(type='LinearLR', begin=0, end=min(50, iters), start_factor=0.01,
             by_epoch=False),
        dict(type='CosineAnnealingLR', begin=0, end=schedule_iters,
             T_max=schedule_iters, by_epoch=False),
    ]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=10**9, by_epoch=False,
        save_last=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=50)
    cfg.default_hooks.visualization = dict(type='PoseVisualizationHook',
                                           enable=False)
    cfg.log_processor = dict(by_epoch=False, window_size=50)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].num_workers = 1
        cfg[loader].persistent_workers = True
    runner = Runner.from_cfg(cfg)

    # val with the ground-truth boxes, for the spread of the predictions
    gt_loader_cfg = cfg.val_dataloader.copy()
    gt_loader_cfg.dataset = gt_loader_cfg.dataset.copy()
    gt_loader_cfg.dataset.pop('bbox_file')
    gt_loader_cfg.num_workers = 0
    gt_loader_cfg.persistent_workers = False
    gt_loader = Runner.build_dataloader(gt_loader_cfg)

    def collapse(model):
        preds, gts, vis, crops, boxes = [], [], [], [], []
        model.eval()
        with torch.no_grad():
            for batch in gt_loader:
                for s in model.test_step(batch):
                    x0, y0, x1, y1 = s.gt_instances.bboxes[0]
                    scale = np.array([x1 - x0, y1 - y0])
                    origin = np.array([x0, y0])
                    preds.append((s.pred_instances.keypoints[0] - origin) /
                                 scale)
                    gts.append((np.asarray(s.gt_instances.keypoints[0]) -
                                origin) / scale)
                    vis.append(
                        np.asarray(s.gt_instances.keypoints_visible[0]) > 0)
                    crops.append((np.asarray(s.metainfo['input_center']),
                                  np.asarray(s.metainfo['input_scale'])))
                    boxes.append((origin, scale))
        model.train()
        preds, gts, vis = np.stack(preds), np.stack(gts), np.stack(vis)
        ratios, err, mean_err, floor = [], [], [], []
        for k in range(preds.shape[1]):
            m = vis[:, k]
            if m.sum() < 2:
                continue
            p, g = preds[m, k], gts[m, k]
            ratios.extend(p.std(0) / np.maximum(g.std(0), 1e-6))
            # the same measure for one pose for everybody in crop space
            # (the ground truth's mean position in the crop): not 0, as the
            # crop is the box padded to 3:4 and the box varies
            idx = np.nonzero(m)[0]
            crop_uv = np.stack([(gts[i, k] * boxes[i][1] + boxes[i][0] -
                                 crops[i][0] + crops[i][1] / 2) / crops[i][1]
                                for i in idx]).mean(0)
            const = np.stack([((crops[i][0] - crops[i][1] / 2 +
                                crop_uv * crops[i][1]) - boxes[i][0]) /
                              boxes[i][1] for i in idx])
            floor.extend(const.std(0) / np.maximum(g.std(0), 1e-6))
            err.extend(np.linalg.norm(p - g, axis=1))
            mean_err.extend(np.linalg.norm(g - g.mean(0), axis=1))
        return dict(spread=float(np.mean(ratios)), err=float(np.mean(err)),
                    mean_pose_err=float(np.mean(mean_err)),
                    collapsed_spread=float(np.mean(floor)))

    def grad_norms(model, data_batch):
        data = model.data_preprocessor(data_batch, True)
        losses = model._run_forward(data, mode='loss')
        groups = {}
        for key, value in losses.items():
            if not key.startswith('loss'):
                continue
            group = ('reg' if key.startswith('loss_reg') else
                     'aux' if key == 'loss_aux' else key.replace('loss_', ''))
            groups[group] = groups.get(group, 0) + value
        shared = {'backbone.layer4': model.backbone.layer4}
        if getattr(model, 'neck', None) is not None:
            shared['neck'] = model.neck
        if hasattr(model.head, 'encoder'):
            shared['encoder'] = model.head.encoder
        out = {}
        for group, loss in groups.items():
            for mod_name, mod in shared.items():
                params = [p for p in mod.parameters() if p.requires_grad]
                grads = torch.autograd.grad(loss, params, retain_graph=True,
                                            allow_unused=True)
                norm = math.sqrt(sum(float(g.pow(2).sum()) for g in grads
                                     if g is not None))
                out[f'{group}@{mod_name}'] = norm
        model.zero_grad(set_to_none=True)
        return out

    class Recorder(Hook):
        priority = 'LOWEST'

        def __init__(self):
            self.train_s = 0.
            self.last = None
            self.records = []
            self.grads = {}
            self.losses = {}

        def before_train(self, runner):
            self.last = time.perf_counter()

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            now = time.perf_counter()
            self.train_s += now - self.last
            it = runner.iter + 1
            for k, v in (outputs or {}).items():
                self.losses.setdefault(k, []).append(float(v))
            if it == 1:
                self.grads[it] = grad_norms(runner.model, data_batch)
            elif it % eval_every == 0 or it == iters:
                self._pending_batch = data_batch
            self.last = time.perf_counter()

        def after_val_epoch(self, runner, metrics=None):
            it = runner.iter
            record = dict(iter=it, train_s=round(self.train_s, 1))
            for key in ('coco/AP', 'coco/AP .5', 'coco/AR'):
                record[key] = float((metrics or {}).get(key, float('nan')))
            record.update(collapse(runner.model))
            batch = getattr(self, '_pending_batch', None)
            if batch is not None:
                self.grads[it] = grad_norms(runner.model, batch)
            record['losses'] = {k: float(np.mean(v[-50:]))
                                for k, v in self.losses.items()}
            self.records.append(record)
            print(f'[{name} seed {seed}] {json.dumps(record)}', flush=True)
            self.last = time.perf_counter()

    recorder = Recorder()
    runner.register_hook(recorder)
    runner.train()
    with open(out, 'w') as f:
        json.dump(dict(name=name, seed=seed, config=config,
                       overrides={k: repr(v) for k, v in overrides.items()},
                       records=recorder.records,
                       grads={str(k): v for k, v in recorder.grads.items()}),
                  f, indent=1)


def _ap_at_time(records, t):
    """AP of the last evaluation whose training time is <= t."""
    best = None
    for r in records:
        if r['train_s'] <= t + 1e-9:
            best = r
    return best


def print_tables(results):
    print('\n### AP against iterations and training wall time\n')
    print('| variant | seed | iter | train s | s / iter | AP | AP .5 | AR '
          '| spread (collapsed) | err | mean-pose err |')
    print('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: '
          '| ---: |')
    for res in results:
        for r in res['records']:
            print(f"| {res['name']} | {res['seed']} | {r['iter']} | "
                  f"{r['train_s']:.0f} | {r['train_s'] / r['iter']:.2f} | "
                  f"{r['coco/AP']:.3f} | {r['coco/AP .5']:.3f} | "
                  f"{r['coco/AR']:.3f} | {r['spread']:.2f} "
                  f"({r.get('collapsed_spread', float('nan')):.2f}) | "
                  f"{r['err']:.3f} | "
                  f"{r['mean_pose_err']:.3f} |")
    print('\n### Equal wall time: each variant at the training time of the '
          "first one's evaluations\n")
    ref = results[0]
    head = ' | '.join(f"{r['name']} s{r['seed']} (iter, AP)"
                      for r in results)
    print(f'| train s | {head} |')
    print('| ---: |' + ' --- |' * len(results))
    for r0 in ref['records']:
        cells = []
        for res in results:
            r = _ap_at_time(res['records'], r0['train_s'])
            cells.append('-' if r is None else
                         f"{r['iter']}, {r['coco/AP']:.3f}")
        print(f"| {r0['train_s']:.0f} | " + ' | '.join(cells) + ' |')
    print('\n### Gradient norm of each loss group on the shared layers\n')
    print('| variant | seed | iter | ' + 'norms |')
    print('| --- | --- | ---: | --- |')
    for res in results:
        for it, g in res['grads'].items():
            norms = ', '.join(f'{k} {v:.3g}' for k, v in g.items())
            print(f"| {res['name']} | {res['seed']} | {it} | {norms} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--variants', nargs='+', default=['sb', 'tfpose'])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--iters', type=int, default=300)
    parser.add_argument('--eval-every', type=int, default=100)
    parser.add_argument('--schedule-iters', type=int, default=None,
                        help='length of the cosine schedule if not --iters '
                        '(to stop a longer schedule early)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads per variant')
    parser.add_argument('--jobs', type=int, default=2,
                        help='variants trained at the same time')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--out-dir', default='work_dirs/convergence')
    parser.add_argument('--list', action='store_true')
    parser.add_argument('--single', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.list:
        for name, (config, overrides, what) in VARIANTS.items():
            print(f'{name:16s} {what}  [{config} {overrides}]')
        return
    if args.single:
        name, seed = args.single.rsplit(':', 1)
        run_variant(name, int(seed), args.iters, args.eval_every,
                    args.threads, args.data_root,
                    osp.join(args.out_dir, f'{name}_seed{seed}.json'),
                    args.schedule_iters)
        return
    unknown = [v for v in args.variants if v not in VARIANTS]
    if unknown:
        parser.error(f'unknown variant(s) {unknown}; --list shows them')
    if not osp.isfile(osp.join(args.data_root, 'annotations',
                               'person_keypoints_val.json')):
        parser.error(f'no synthetic set in {args.data_root}: make it with '
                     '`python -m mmpose_ext.synthetic --out '
                     f'{args.data_root}` (or run `make quickstart` once)')
    os.makedirs(args.out_dir, exist_ok=True)
    jobs = [(v, s) for s in args.seeds for v in args.variants]
    pending, running = list(jobs), []
    while pending or running:
        while pending and len(running) < args.jobs:
            v, s = pending.pop(0)
            log = open(osp.join(args.out_dir, f'{v}_seed{s}.log'), 'w')
            cmd = [sys.executable, osp.abspath(__file__), '--single',
                   f'{v}:{s}', '--iters', str(args.iters), '--eval-every',
                   str(args.eval_every), '--threads', str(args.threads),
                   '--schedule-iters', str(args.schedule_iters or args.iters),
                   '--data-root', args.data_root, '--out-dir', args.out_dir]
            running.append((v, s, subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO), log))
            print(f'started {v} seed {s}', flush=True)
        time.sleep(2)
        for item in list(running):
            v, s, proc, log = item
            if proc.poll() is not None:
                log.close()
                running.remove(item)
                print(f'finished {v} seed {s} (exit {proc.returncode})',
                      flush=True)
    results = []
    for v, s in jobs:
        path = osp.join(args.out_dir, f'{v}_seed{s}.json')
        if osp.isfile(path):
            with open(path) as f:
                results.append(json.load(f))
        else:
            print(f'{v} seed {s}: no result, see {path[:-5]}.log')
    if results:
        print_tables(results)


if __name__ == '__main__':
    main()
