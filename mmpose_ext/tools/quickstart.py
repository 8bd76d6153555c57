"""The README's main job: train, evaluate and look at a model on the embedded data.

    python -m mmpose_ext.tools.quickstart            # what `make quickstart` runs

1. generates the synthetic person keypoint set into ``data/synthetic`` (once;
   deterministic, see :mod:`mmpose_ext.synthetic`);
2. trains the quickstart config (TFPose, a fixed number of iterations, with
   a progress bar and the remaining time) on CPU with the mmpose_ext train
   tool (a finished run is reused; an interrupted one is resumed where it
   stopped);
3. evaluates the final checkpoint with MMPose's CocoMetric on the val split
   with the generated person detections, through the test tool;
4. draws the predictions on a val image with MMPose's visualizer (3 and 4
   are skipped when a reused checkpoint was already evaluated and drawn);
5. prints the AP and where the checkpoint, the log and the picture are.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys

DEFAULT_CONFIG = 'configs/tfpose/tfpose_res18_synthetic-128x96.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--data-root', default='data/synthetic',
                        help='where the synthetic set is (made if missing)')
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--retrain', action='store_true',
                        help='train again even if a finished run exists')
    return parser.parse_args(argv)


def _run(args):
    print('+', ' '.join(args), flush=True)
    subprocess.run([sys.executable, *args], check=True)


def _ensure_data(root):
    ann = osp.join(root, 'annotations', 'person_keypoints_val.json')
    if osp.isfile(ann):
        print(f'synthetic data: reusing {root}')
        return
    _run(['-m', 'mmpose_ext.synthetic', '--out', root])


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


def _train(config, work_dir, retrain, length):
    """Returns the final checkpoint and whether it comes from an earlier,
    finished run."""
    from mmpose_ext.checkpoints import safe_torch_load
    key, total = length
    last = None if retrain else _last_checkpoint(work_dir)
    if last is not None:
        done = safe_torch_load(last)['meta'][key]
        if done >= total:
            print(f'training: reusing the finished run in {work_dir} '
                  '(--retrain to train again)')
            return last, True
        print(f'training: resuming the interrupted run at {key} {done}')
    _run(['-m', 'mmpose_ext.tools.train', config, '--work-dir', work_dir] +
         (['--resume'] if last is not None else []))
    return _last_checkpoint(work_dir), False


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


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config
    # the synthetic data base config reads its root from this variable
    os.environ['MMPOSE_EXT_SYNTHETIC'] = args.data_root.rstrip('/')
    cfg = Config.fromfile(args.config)

    _ensure_data(args.data_root)
    checkpoint, reused = _train(args.config, args.work_dir, args.retrain,
                                _length(cfg))
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
        metrics = json.load(f)
    logs = sorted(glob.glob(osp.join(args.work_dir, '2*', '2*.log')))
    print('\n== mmpose_ext quickstart ==')
    print(f"config      {args.config}")
    print(f"coco/AP     {metrics['coco/AP']:.3f}   (AP .5 "
          f"{metrics['coco/AP .5']:.3f}, AR {metrics['coco/AR']:.3f}; "
          'synthetic val, detected boxes)')
    print(f'checkpoint  {osp.abspath(checkpoint)}')
    print(f"train log   {osp.abspath(logs[-1]) if logs else '(none)'}")
    print(f'prediction  {osp.abspath(picture)}')


if __name__ == '__main__':
    main()
