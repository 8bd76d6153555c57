"""The README's main job: train, evaluate and look at a model on the embedded data.

    python -m mmpose_ext.tools.quickstart                  # `make quickstart`
    python -m mmpose_ext.tools.quickstart --model vitpose  # the ViTPose job

1. generates the synthetic person keypoint set into ``data/synthetic`` (once;
   deterministic, see :mod:`mmpose_ext.synthetic`);
2. ``--model vitpose`` only: generates the unlabeled set MAE reads into
   ``data/synthetic_mae`` (once; ``--mae-data-root`` moves it) and
   pre-trains the backbone with MAE (its own
   config, with the same progress bar) unless this machine already has the
   checkpoint in its cache, ``~/.cache/mmpose_ext/mae/`` (``MMPOSE_EXT_CACHE``
   moves the cache, as it does the compiled kernels'), keyed by the
   resolved MAE config and the content of the training annotations it
   reads (not the images); made once per machine and training set, an
   interrupted pre-training is resumed;
3. trains the model's config (TFPose, or ViTPose with its backbone
   initialised from that MAE checkpoint; a fixed number of iterations, with
   a progress bar and the remaining time) on CPU with the mmpose_ext train
   tool (a finished run is reused; an interrupted one is resumed where it
   stopped; a run of another model than the config's, made before the
   config changed, is trained again);
4. evaluates the final checkpoint with MMPose's CocoMetric on the val split
   with the generated person detections, through the test tool;
5. draws the predictions on a val image with MMPose's visualizer (4 and 5
   are skipped when a reused checkpoint was already evaluated and drawn);
6. prints the AP and where the checkpoint, the log and the picture are (for
   ViTPose also the MAE checkpoint and both stages' wall times);
7. with ``--record FILE``: writes the job as a record (its command, commit,
   machine, load average, each stage's wall time and whether it was reused,
   the metrics), as the experiment runner and the benchmarks do, so that
   the times the README quotes for the job are on record.
"""
import argparse
import copy
import glob
import hashlib
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

# per model: its pose config, its MAE config (pre-training of the backbone,
# None: trained from scratch) and its default work dir
JOBS = {
    'tfpose': dict(
        config='configs/tfpose/tfpose_res18_synthetic-128x96.py',
        mae_config=None,
        work_dir='work_dirs/quickstart'),
    'vitpose': dict(
        config='configs/vitpose/'
        'td-hm_vitpose-p8w192_1xb16-1350it_synthetic-128x96.py',
        mae_config='configs/vitpose/mae_vitpose-p8w192_synthetic-128x96.py',
        work_dir='work_dirs/quickstart_vitpose'),
}
DEFAULT_CONFIG = JOBS['tfpose']['config']
# the unlabeled set the ViTPose job's MAE pre-training reads (its configs
# name it by $MMPOSE_EXT_SYNTHETIC_MAE): training images only, another seed
# than the pose set, five times its size
MAE_DATA = dict(root='data/synthetic_mae', variable='MMPOSE_EXT_SYNTHETIC_MAE',
                args=['--num-train', '9000', '--num-val', '0', '--seed', '2'])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', choices=sorted(JOBS), default='tfpose',
                        help='which main job (default: tfpose)')
    parser.add_argument('--config',
                        help="the pose config (default: the model's)")
    parser.add_argument('--mae-config',
                        help="vitpose: the MAE pre-training config "
                        "(default: the model's)")
    parser.add_argument('--data-root', default='data/synthetic',
                        help='where the synthetic set is (made if missing)')
    parser.add_argument('--mae-data-root', default=MAE_DATA['root'],
                        help='vitpose: where the unlabeled set of the MAE '
                        'pre-training is (made if missing; default: '
                        '%(default)s)')
    parser.add_argument('--work-dir',
                        help='default: work_dirs/quickstart for tfpose, '
                        'work_dirs/quickstart_vitpose for vitpose')
    parser.add_argument('--retrain', action='store_true',
                        help='train the pose model again even if a finished '
                        'run exists (a cached MAE checkpoint is still '
                        'reused)')
    parser.add_argument('--record', metavar='JSON',
                        help='also write the job as a record (command, '
                        "machine, load, the stages' wall times, metrics) "
                        'to this file, e.g. results/quickstart/vitpose.json')
    args = parser.parse_args(argv)
    job = JOBS[args.model]
    for option, given in (('--mae-config', args.mae_config),
                          ('--mae-data-root',
                           args.mae_data_root != MAE_DATA['root'])):
        if given and job['mae_config'] is None:
            parser.error(f'{option}: the {args.model} job has no MAE '
                         'pre-training')
    args.config = args.config or job['config']
    args.mae_config = args.mae_config or job['mae_config']
    args.work_dir = args.work_dir or job['work_dir']
    return args


def _run(args):
    print('+', ' '.join(args), flush=True)
    subprocess.run([sys.executable, *args], check=True)


def _ensure_data(root, generator_args=(), what='synthetic data'):
    # the generator writes the val file last
    ann = osp.join(root, 'annotations', 'person_keypoints_val.json')
    if osp.isfile(ann):
        print(f'{what}: reusing {root}')
        return
    _run(['-m', 'mmpose_ext.synthetic', '--out', root, *generator_args])


def _last_checkpoint(work_dir):
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        path = f.read().strip()
    return path if osp.isfile(path) else None


def _length(cfg):
    """(key in a checkpoint's meta, number) of the config's training: a
    fixed number of iterations (the quickstart config) or of epochs."""
    train_cfg = cfg.train_cfg
    if train_cfg.get('by_epoch', True) and 'max_epochs' in train_cfg:
        return 'epoch', train_cfg.max_epochs
    return 'iter', train_cfg.max_iters


def _train(config, work_dir, retrain, length, cfg_options=(),
           stage='training', hint='--retrain to train again'):
    """Returns the final checkpoint and whether it comes from an earlier,
    finished run."""
    from mmpose_ext.checkpoints import safe_torch_load
    key, total = length
    last = None if retrain else _last_checkpoint(work_dir)
    if last is not None:
        done = safe_torch_load(last)['meta'][key]
        if done >= total:
            print(f'{stage}: reusing the finished run in {work_dir} '
                  f'({hint})')
            return last, True
        print(f'{stage}: resuming the interrupted run at {key} {done}')
    _run(['-m', 'mmpose_ext.tools.train', config, '--work-dir', work_dir] +
         (['--resume'] if last is not None else []) +
         (['--cfg-options', *cfg_options] if cfg_options else []))
    return _last_checkpoint(work_dir), False


def cache_root():
    """mmpose_ext's cache outside the clone, shared by every clone on the
    machine: ``$MMPOSE_EXT_CACHE``, else ``~/.cache/mmpose_ext`` (the
    bootstrap's wheels and the compiled kernels use the same root)."""
    return os.environ.get('MMPOSE_EXT_CACHE') or osp.join(
        os.environ.get('XDG_CACHE_HOME') or osp.expanduser('~/.cache'),
        'mmpose_ext')


def _file_sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def mae_cache_path(cfg, config_path):
    """``<cache>/mae/<config stem>-<sha256[:12]>.pth``: the digest is of the
    resolved config (bases merged, the data root substituted) and of the
    content of the training annotation file it reads (``data_root`` +
    ``ann_file`` of its ``train_dataloader``), so a changed recipe or model,
    or another generated training set in the same data root, gets a
    checkpoint of its own. The images are not hashed: a set regenerated with
    the same annotations but other pixels reuses the checkpoint."""
    dataset = cfg.train_dataloader.dataset
    ann_file = osp.join(dataset.get('data_root', ''), dataset.ann_file)
    if not osp.isfile(ann_file):
        raise FileNotFoundError(
            f'MAE cache key: the training annotations {ann_file} that '
            f'{config_path} reads are missing (generate the set first)')
    resolved = json.dumps(cfg.to_dict(), sort_keys=True, default=repr)
    digest = hashlib.sha256(resolved.encode())
    # the config names the data only by its (here relative) path
    digest.update(_file_sha256(ann_file).encode())
    stem = osp.splitext(osp.basename(config_path))[0]
    return osp.join(cache_root(), 'mae', f'{stem}-{digest.hexdigest()[:12]}'
                    '.pth')


def _pretrain_mae(mae_config, work_dir):
    """Stage 1 of the ViTPose job. Returns the cached MAE checkpoint and
    whether it was reused from the cache."""
    from mmengine.config import Config
    cfg = Config.fromfile(mae_config)
    cached = mae_cache_path(cfg, mae_config)
    if osp.isfile(cached):
        print(f'MAE pre-training: reusing the cached {cached} (made once '
              'per machine; delete it to pre-train again)')
        return cached, True
    # the run lives under the work dir, named like its cache file: an
    # interrupted pre-training resumes only for the same resolved config
    run_dir = osp.join(work_dir, osp.splitext(osp.basename(cached))[0])
    checkpoint, _ = _train(mae_config, run_dir, False, _length(cfg),
                           stage='MAE pre-training',
                           hint=f'delete {run_dir} to pre-train again')
    os.makedirs(osp.dirname(cached), exist_ok=True)
    # copied under a name of this process's own, then renamed into place:
    # a reader (another clone's job) never sees a partial file
    partial = f'{cached}.{os.getpid()}.tmp'
    shutil.copyfile(checkpoint, partial)
    os.replace(partial, cached)
    print(f'MAE pre-training: cached {checkpoint} as {cached}')
    return cached, False


def trained_model(work_dir, config):
    """The ``model`` of the config the Runner dumped in ``work_dir`` (what
    the run there trained), as a dict; None without a run."""
    from mmengine.config import Config
    dumped = osp.join(work_dir, osp.basename(config))
    if not osp.isfile(dumped):
        return None
    return Config.fromfile(dumped).model.to_dict()


def initialised_from(work_dir, config):
    """The backbone checkpoint the run in ``work_dir`` started from, read
    from the config the Runner dumped there; None without a run or an
    initial checkpoint."""
    model = trained_model(work_dir, config) or {}
    init_cfg = model.get('backbone', {}).get('init_cfg') or {}
    return init_cfg.get('checkpoint')


def _minutes(seconds):
    return f'{seconds / 60:.1f} min'


def _is_newer(path, than):
    return osp.isfile(path) and osp.getmtime(path) >= osp.getmtime(than)


def _render(config, checkpoint, data_root, out_file):
    """Top-down inference on the first val image with the generated person
    detections, drawn by MMPose's visualizer."""
    import mmcv
    from mmpose.apis import inference_topdown
    from mmpose.registry import VISUALIZERS
    from mmpose.structures import merge_data_samples

    with open(osp.join(data_root, 'annotations',
                       'person_keypoints_val.json')) as f:
        image = json.load(f)['images'][0]
    with open(osp.join(data_root, 'person_detection_results',
                       'person_detections_val.json')) as f:
        boxes = [d['bbox'] for d in json.load(f)
                 if d['image_id'] == image['id'] and d['score'] >= 0.3]
    bboxes = [[x, y, x + w, y + h] for x, y, w, h in boxes]

    from mmpose_ext.apis import init_pose_model

    # strict and weights-only: a checkpoint of another config is refused
    model = init_pose_model(config, checkpoint, device='cpu')
    img_path = osp.join(data_root, 'images', 'val', image['file_name'])
    results = merge_data_samples(
        inference_topdown(model, img_path, bboxes=bboxes or None))
    visualizer = VISUALIZERS.build(model.cfg.visualizer)
    visualizer.set_dataset_meta(model.dataset_meta)
    visualizer.add_datasample(
        'prediction', mmcv.imread(img_path, channel_order='rgb'),
        data_sample=results, draw_gt=False, draw_bbox=True, kpt_thr=0.3,
        show=False, out_file=out_file)


def _evaluate_and_draw(args, checkpoint, reused):
    """Steps 4 and 5: the metrics file and the picture, made again unless
    a reused checkpoint already has both. Returns the metrics."""
    metrics_file = osp.join(args.work_dir, 'val_metrics.json')
    picture = osp.join(args.work_dir, 'prediction.jpg')
    # a reused checkpoint that was already evaluated and drawn gives the
    # same AP and picture again: skip the minute of evaluation
    if (reused and _is_newer(metrics_file, checkpoint)
            and _is_newer(picture, checkpoint)):
        print(f'evaluation: reusing {metrics_file} and {picture}')
    else:
        _run(['-m', 'mmpose_ext.tools.test', args.config, checkpoint,
              '--work-dir', osp.join(args.work_dir, 'eval'),
              '--out', metrics_file])
        _render(args.config, checkpoint, args.data_root, picture)
    with open(metrics_file) as f:
        return json.load(f)


def _summary(args, metrics, checkpoint, extra=()):
    """Step 6; ``extra``: (label, text) lines after the config's."""
    logs = sorted(glob.glob(osp.join(args.work_dir, '2*', '2*.log')))
    picture = osp.join(args.work_dir, 'prediction.jpg')
    print('\n== mmpose_ext quickstart ==')
    print(f"config      {args.config}")
    for label, text in extra:
        print(f'{label:<11} {text}')
    print(f"coco/AP     {metrics['coco/AP']:.3f}   (AP .5 "
          f"{metrics['coco/AP .5']:.3f}, AR {metrics['coco/AR']:.3f}; "
          'synthetic val, detected boxes)')
    print(f'checkpoint  {osp.abspath(checkpoint)}')
    print(f"train log   {osp.abspath(logs[-1]) if logs else '(none)'}")
    print(f'prediction  {osp.abspath(picture)}')


def check_pretrained_backbone(cfg, config_path):
    """Refuse (``SystemExit`` with the reason) a pose config whose backbone
    would not load the MAE checkpoint: the job hands it over as
    ``model.backbone.init_cfg.checkpoint``, which only a dict ``init_cfg``
    of type ``Pretrained`` reads; anything else would train from scratch
    after the whole pre-training, or fail inside MMEngine."""
    init_cfg = cfg.model.get('backbone', {}).get('init_cfg')
    if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
        return
    sys.exit(
        f'quickstart --model vitpose: {config_path} has no '
        "model.backbone.init_cfg of type 'Pretrained' (it has "
        f'{init_cfg!r}), so the MAE checkpoint would not be loaded into '
        'its backbone. Give the backbone init_cfg=dict(_delete_=True, '
        "type='Pretrained', checkpoint=...) (the job fills in the "
        'checkpoint; see configs/vitpose/'
        'td-hm_vitpose-p8w192_synthetic-128x96.py), or train the config '
        'without MAE pre-training (leave out --model vitpose).')


def main(argv=None):
    args = parse_args(argv)
    from mmpose_ext.utils.run_record import LoadSampler
    with LoadSampler(interval=30) as load:
        stages, metrics = _job(args)
    if args.record:
        _write_record(args, stages, metrics, load)


def _job(args):
    """Steps 1-6; returns the stages (name -> wall seconds and whether a
    cached or finished result was reused) and the metrics."""
    from mmengine.config import Config
    # the synthetic data base config reads its root from this variable
    os.environ['MMPOSE_EXT_SYNTHETIC'] = args.data_root.rstrip('/')
    cfg = Config.fromfile(args.config)
    if args.mae_config:
        # before the data and the pre-training, which take minutes
        check_pretrained_backbone(cfg, args.config)

    stages = {}
    start = time.perf_counter()
    _ensure_data(args.data_root)
    stages['data'] = dict(seconds=time.perf_counter() - start)
    extra, cfg_options, retrain = [], [], args.retrain
    if args.mae_config:
        start = time.perf_counter()
        os.environ[MAE_DATA['variable']] = args.mae_data_root.rstrip('/')
        _ensure_data(args.mae_data_root, MAE_DATA['args'],
                     'MAE pre-training data')
        mae_checkpoint, mae_reused = _pretrain_mae(args.mae_config,
                                                   args.work_dir)
        # the stage's time includes the set's generation
        mae_seconds = time.perf_counter() - start
        stages['pretrain'] = dict(seconds=mae_seconds, reused=mae_reused)
        mae_checkpoint = osp.abspath(mae_checkpoint)
        cfg_options = [f'model.backbone.init_cfg.checkpoint={mae_checkpoint}']
        # a run fine-tuned from another MAE checkpoint (another MAE config
        # or data root) is not this job's: neither reused nor resumed
        used = initialised_from(args.work_dir, args.config)
        if not retrain and _last_checkpoint(args.work_dir) and \
                used != mae_checkpoint:
            print(f'fine-tuning: the run in {args.work_dir} started from '
                  f'{used}, not {mae_checkpoint}: training again')
            retrain = True
        extra += [('MAE config', args.mae_config),
                  ('MAE ckpt', mae_checkpoint),
                  ('pre-train', 'reused (cached)' if mae_reused
                   else _minutes(mae_seconds))]
    stage = 'fine-tuning' if args.mae_config else 'training'
    # a run of another model (the config changed since it was trained, as
    # the quickstart's auxiliary branch did in issue 19) would not load
    # into this config's model: neither reused nor resumed
    if not retrain and _last_checkpoint(args.work_dir):
        wanted = copy.deepcopy(cfg)
        wanted.merge_from_dict(dict(o.split('=', 1) for o in cfg_options))
        if trained_model(args.work_dir, args.config) != \
                wanted.model.to_dict():
            print(f'{stage}: the run in {args.work_dir} trained another '
                  f'model than {args.config} describes (the config changed '
                  'since): training again')
            retrain = True
    start = time.perf_counter()
    checkpoint, reused = _train(
        args.config, args.work_dir, retrain, _length(cfg), cfg_options,
        stage=stage)
    train_seconds = time.perf_counter() - start
    stages['finetune' if args.mae_config else 'train'] = dict(
        seconds=train_seconds, reused=reused)
    if args.mae_config:
        extra.append(('fine-tune', 'reused (finished run)' if reused else
                      _minutes(train_seconds)))
    start = time.perf_counter()
    metrics = _evaluate_and_draw(args, checkpoint, reused)
    stages['evaluate_and_draw'] = dict(seconds=time.perf_counter() - start)
    _summary(args, metrics, checkpoint, extra)
    return stages, metrics


def _write_record(args, stages, metrics, load):
    from mmpose_ext.utils.run_record import command_line, write_record
    for stage in stages.values():
        stage['seconds'] = round(stage['seconds'], 1)
    write_record(args.record, dict(
        kind='quickstart', model=args.model, command=command_line(),
        config=args.config, mae_config=args.mae_config,
        stages=stages,
        metrics={k: round(v, 4) for k, v in metrics.items()}), load=load)
    print(f'record      {args.record}')


if __name__ == '__main__':
    main()
