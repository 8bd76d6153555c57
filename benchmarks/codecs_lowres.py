"""Trained low-resolution comparison of the codecs (DARK, UDP, SimDR against
MMPose's standard heatmap), the setting of the DARK and SimDR papers'
headline claims.

    python benchmarks/codecs_lowres.py [--iters 60] [--seeds 0 1]
        [--sizes 64x48 128x96] [--codecs msra dark udp simdr-k2 simdr-k3]
        [--jobs 2] [--batch-size 8] [--work-dir work_dirs/codecs_lowres]
        [--data DIR]

For each input size, codec and seed a ResNet-18 top-down model is trained
from scratch (no pretrained weights: nothing is downloaded) on the embedded
synthetic set (``python -m mmpose_ext.synthetic`` with its
defaults, written to ``<work-dir>/synthetic`` unless ``--data`` names one),
for the same number of iterations with the same optimiser, data pipeline
and seed, then evaluated on its val split with MMPose's ``CocoMetric``
(ground-truth boxes, so that the detector's errors do not hide the codec's;
no flip test). Every run is its own process on one thread (``--jobs`` run
at a time) and writes ``<work-dir>/<size>_<codec>_seed<S>.json``; existing
results are reused (``--force`` reruns), so a longer schedule goes to a new
``--work-dir``.

What is compared (``codec_config``): the target/decoder pairs

- ``msra``: MMPose's ``MSRAHeatmap`` (quantised Gaussian, quarter-pixel
  shift), the standard heatmap baseline;
- ``dark``: :class:`DARKHeatmap` (unbiased Gaussian, Taylor decoding);
- ``udp``: :class:`UDPCodec` (Gaussian heatmaps of UDP, with
  ``TopdownAffine(use_udp=True)``);
- ``simdr-k2`` / ``simdr-k3``: :class:`SimDRLabel` with 2 or 3 bins per
  pixel, MMPose's ``SimCCHead`` (the paper's plain head) and
  ``KLDiscretLoss``.

Heatmap models use the SimpleBaseline head (128-channel deconvolutions to
stride 4). At 128x96 the backbone has stride 32 (4x3 features, three
deconvolutions to 32x24); at 64x48 its last stage has stride 1 (stride 16,
4x3 features, two deconvolutions to 16x12) for every codec, since 48 / 32
is not an integer. Target widths keep one ratio to the input at both
sizes: heatmap sigma 2 at 32x24 and 1 at 16x12 (8 and 4 input pixels, the
width of ``configs/simplebaseline/td-hm_res18_synthetic-128x96.py``; the
DARK/UDP modulation kernel 11 and 5), SimDR sigma 3 and 1.5 input pixels
(``sigma = 3 * h / 128 * k`` bins: 6 bins at k = 2 for 128x96, the same
ratio to MMPose's 256x192 SimCC sigma as the heatmaps' to MMPose's).
Adam 3e-3, linear warm-up over the first 50 iterations (or all of them),
cosine decay, batch 8, the training augmentation of that config. Besides
AP, the PCK at 0.2 of the box size and the mean end-point error (EPE,
input pixels of the original image) are printed, which move earlier in
training than AP does.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASE_CONFIG = REPO / 'configs/simplebaseline/td-hm_res18_synthetic-128x96.py'
CODECS = ('msra', 'dark', 'udp', 'simdr-k2', 'simdr-k3')
SIZES = {'64x48': (48, 64), '128x96': (96, 128)}  # name -> input (w, h)
METRICS = ('coco/AP', 'coco/AP .5', 'coco/AP .75', 'coco/AR', 'PCK', 'EPE')


def codec_config(name: str, input_size: tuple) -> dict:
    """The codec of one run; ``input_size`` is (w, h)."""
    w, h = input_size
    if name.startswith('simdr-k'):
        k = float(name[len('simdr-k'):])
        return dict(type='SimDRLabel', input_size=input_size,
                    sigma=3.0 * h / 128 * k, simcc_split_ratio=k)
    heatmap_size = (w // 4, h // 4)
    sigma, kernel = (2.0, 11) if h >= 128 else (1.0, 5)
    if name == 'msra':
        return dict(type='MSRAHeatmap', input_size=input_size,
                    heatmap_size=heatmap_size, sigma=sigma)
    if name == 'dark':
        return dict(type='DARKHeatmap', input_size=input_size,
                    heatmap_size=heatmap_size, sigma=sigma,
                    blur_kernel_size=kernel)
    if name == 'udp':
        return dict(type='UDPCodec', input_size=input_size,
                    heatmap_size=heatmap_size, sigma=sigma,
                    blur_kernel_size=kernel)
    raise ValueError(f'unknown codec {name!r}; one of {CODECS}')


def build_config(size: str, codec_name: str, seed: int, iters: int,
                 batch_size: int, data_root: str, work_dir: str):
    """The MMEngine config of one run (based on BASE_CONFIG)."""
    from mmengine.config import Config

    # the base reads its data root from this variable; restore it afterwards
    # so that a caller's environment (or a later test) does not inherit it
    previous = os.environ.get('MMPOSE_EXT_SYNTHETIC')
    os.environ['MMPOSE_EXT_SYNTHETIC'] = data_root
    try:
        cfg = Config.fromfile(str(BASE_CONFIG))
    finally:
        if previous is None:
            del os.environ['MMPOSE_EXT_SYNTHETIC']
        else:
            os.environ['MMPOSE_EXT_SYNTHETIC'] = previous
    input_size = SIZES[size]
    w, h = input_size
    codec = codec_config(codec_name, input_size)
    stride16 = h < 128
    feature_size = (w // 16, h // 16) if stride16 else (w // 32, h // 32)
    backbone = dict(type='ResNet', depth=18,
                    strides=(1, 2, 2, 1) if stride16 else (1, 2, 2, 2))
    if codec['type'] == 'SimDRLabel':
        head = dict(
            type='SimCCHead', in_channels=512, out_channels=17,
            input_size=input_size, in_featuremap_size=feature_size,
            simcc_split_ratio=codec['simcc_split_ratio'],
            deconv_out_channels=None,
            loss=dict(type='KLDiscretLoss', use_target_weight=True),
            decoder=codec)
    else:
        deconvs = (128, ) * (2 if stride16 else 3)
        head = dict(
            type='HeatmapHead', in_channels=512, out_channels=17,
            deconv_out_channels=deconvs,
            deconv_kernel_sizes=(4, ) * len(deconvs),
            loss=dict(type='KeypointMSELoss', use_target_weight=True),
            decoder=codec)
    cfg.model.backbone = backbone
    cfg.model.head = head
    cfg.model.test_cfg = dict(flip_test=False)

    use_udp = codec['type'] == 'UDPCodec'
    affine = dict(type='TopdownAffine', input_size=input_size,
                  use_udp=use_udp)
    cfg.train_dataloader.dataset.pipeline = [
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='RandomFlip', direction='horizontal'),
        dict(type='RandomHalfBody'),
        dict(type='RandomBBoxTransform', rotate_factor=30,
             scale_factor=(0.75, 1.25)),
        affine,
        dict(type='GenerateTarget', encoder=codec),
        dict(type='PackPoseInputs'),
    ]
    cfg.val_dataloader.dataset.pipeline = [
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        affine,
        dict(type='PackPoseInputs'),
    ]
    cfg.val_dataloader.dataset.bbox_file = None  # ground-truth boxes
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.num_workers = 0
        loader.persistent_workers = False
    cfg.train_dataloader.batch_size = batch_size
    cfg.test_dataloader = cfg.val_dataloader

    # evaluated once, after training (run_one calls runner.val())
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters,
                         val_begin=iters + 1, val_interval=iters + 1)
    cfg.val_evaluator = [
        cfg.val_evaluator,
        dict(type='PCKAccuracy', thr=0.2, norm_item='bbox'),
        dict(type='EPE'),
    ]
    cfg.test_evaluator = cfg.val_evaluator
    cfg.param_scheduler = [
        dict(type='LinearLR', begin=0, end=min(50, iters), by_epoch=False,
             start_factor=0.01),
        dict(type='CosineAnnealingLR', begin=0, end=iters, T_max=iters,
             by_epoch=False),
    ]
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=50)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1,
                                        by_epoch=False, save_last=False)
    cfg.log_processor = dict(by_epoch=False, window_size=50)
    cfg.randomness = dict(seed=seed)
    cfg.work_dir = work_dir
    return cfg


def run_one(args) -> dict:
    """Train and evaluate one (size, codec, seed) in this process."""
    import torch
    torch.set_num_threads(1)
    from mmengine.runner import Runner
    name = f'{args.size}_{args.codec}_seed{args.seed}'
    cfg = build_config(args.size, args.codec, args.seed, args.iters,
                       args.batch_size, args.data,
                       str(Path(args.work_dir) / name))
    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    train_s = time.perf_counter() - start
    metrics = runner.val()
    result = dict(size=args.size, codec=args.codec, seed=args.seed,
                  iters=args.iters, batch_size=args.batch_size,
                  train_s=round(train_s, 1),
                  **{k: float(metrics[k]) for k in METRICS})
    out = Path(args.work_dir) / f'{name}.json'
    out.write_text(json.dumps(result, indent=1))
    return result


def ensure_data(data: str) -> None:
    if (Path(data) / 'annotations/person_keypoints_val.json').exists():
        return
    print(f'generating the synthetic set in {data} (defaults)', flush=True)
    subprocess.run([sys.executable, '-m', 'mmpose_ext.synthetic', '--out',
                    data], check=True)


def launch(args, size, codec, seed) -> dict:
    out = Path(args.work_dir) / f'{size}_{codec}_seed{seed}.json'
    if out.exists() and not args.force:
        return json.loads(out.read_text())
    log = Path(args.work_dir) / f'{size}_{codec}_seed{seed}.log'
    cmd = [sys.executable, str(Path(__file__).resolve()), '--run-one',
           '--size', size, '--codec', codec, '--seed', str(seed),
           '--iters', str(args.iters), '--batch-size', str(args.batch_size),
           '--data', args.data, '--work-dir', args.work_dir]
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    start = time.perf_counter()
    with open(log, 'w') as f:
        done = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT,
                              env=env, cwd=REPO)
    if done.returncode:
        raise RuntimeError(f'{size} {codec} seed {seed} failed; see {log}')
    print(f'{size} {codec} seed {seed}: {time.perf_counter() - start:.0f} s',
          flush=True)
    return json.loads(out.read_text())


def table(results, sizes, codecs, seeds) -> str:
    """Markdown table: one row per size and codec, the seeds' AP and the
    means over the seeds."""
    by_key = {(r['size'], r['codec'], r['seed']): r for r in results}
    names = dict(msra='MSRAHeatmap (MMPose, standard)', dark='DARKHeatmap',
                 udp='UDPCodec', **{'simdr-k2': 'SimDRLabel k=2',
                                    'simdr-k3': 'SimDRLabel k=3'})
    seed_names = ' / '.join(f'seed {s}' for s in seeds)
    lines = [f'| input | codec | AP ({seed_names}) | mean AP | mean AP .5 | '
             f'PCK@0.2 ({seed_names}) | mean PCK@0.2 | mean EPE px |',
             '| --- | --- | --- | --- | --- | --- | --- | --- |']
    for size in sizes:
        for codec in codecs:
            runs = [by_key[(size, codec, s)] for s in seeds]

            def mean(key):
                return sum(r[key] for r in runs) / len(runs)

            aps = ' / '.join(f"{r['coco/AP']:.3f}" for r in runs)
            pcks = ' / '.join(f"{r['PCK']:.3f}" for r in runs)
            lines.append(
                f'| {size} | {names.get(codec, codec)} | {aps} | '
                f"{mean('coco/AP'):.3f} | {mean('coco/AP .5'):.3f} | {pcks} | "
                f"{mean('PCK'):.3f} | {mean('EPE'):.1f} |")
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=60)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--sizes', nargs='+', default=list(SIZES),
                        choices=list(SIZES))
    parser.add_argument('--codecs', nargs='+', default=list(CODECS),
                        choices=list(CODECS))
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--jobs', type=int, default=2,
                        help='runs at a time, one thread each')
    parser.add_argument('--work-dir', default='work_dirs/codecs_lowres')
    parser.add_argument('--data', default=None,
                        help='synthetic set (default: <work-dir>/synthetic, '
                        'generated with the defaults if missing)')
    parser.add_argument('--force', action='store_true',
                        help='rerun runs whose result exists')
    parser.add_argument('--run-one', action='store_true',
                        help=argparse.SUPPRESS)
    parser.add_argument('--size', help=argparse.SUPPRESS)
    parser.add_argument('--codec', help=argparse.SUPPRESS)
    parser.add_argument('--seed', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.iters < 1 or args.jobs < 1 or args.batch_size < 1:
        parser.error('--iters, --jobs and --batch-size must be >= 1')
    args.work_dir = str(Path(args.work_dir).resolve())
    args.data = str(Path(args.data or Path(args.work_dir) /
                         'synthetic').resolve())
    if args.run_one:
        print(json.dumps(run_one(args)))
        return
    Path(args.work_dir).mkdir(parents=True, exist_ok=True)
    ensure_data(args.data)
    jobs = [(size, codec, seed) for seed in args.seeds
            for size in args.sizes for codec in args.codecs]
    reused = sum((Path(args.work_dir) / f'{size}_{codec}_seed{seed}.json'
                  ).exists() and not args.force
                 for size, codec, seed in jobs)
    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda j: launch(args, *j), jobs))
    print(f'{len(jobs)} runs ({reused} reused from {args.work_dir}), '
          f'{args.iters} iterations of batch {args.batch_size} each, '
          f'{time.perf_counter() - start:.0f} s wall with {args.jobs} at a '
          'time')
    print(table(results, args.sizes, args.codecs, args.seeds))


if __name__ == '__main__':
    main()
