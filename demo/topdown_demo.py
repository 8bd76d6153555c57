"""Top-down pose estimation with an MMDetection person detector.

    python demo/topdown_demo.py DET_CONFIG DET_CHECKPOINT \\
        POSE_CONFIG POSE_CHECKPOINT --input IMAGE|FOLDER|VIDEO \\
        --output-root OUT [--save-predictions]

The arguments follow MMPose's ``demo/topdown_demo_with_mmdet.py``; in
addition the input may be a folder of images, the predictions are written in
COCO keypoint results format, and both checkpoints must match their configs
(the demo refuses one that does not and lists the keys that differ). A
checkpoint given as ``none`` keeps the config's random initialisation (for
tests).

Outputs under ``--output-root``:

* the input drawn with MMPose's visualizer (skeleton and keypoints above
  ``--kpt-thr``, transparency by keypoint score; boxes with
  ``--draw-bbox``): ``OUT/<image name>`` per image, ``OUT/<video name>`` for a
  video (one drawn frame per input frame, same frame rate);
* with ``--save-predictions``: ``OUT/results_<input name>.json``, a COCO
  keypoint results list (``image_id``, ``category_id``, ``keypoints``,
  ``score``, ``bbox``, ``bbox_score``, ``file_name``); ``score`` is MMPose
  CocoMetric's box-times-keypoint rescoring. ``image_id`` is the number in
  the file name when every image name is a number (COCO's
  ``000000000785.jpg`` -> 785), else the image's index in name order; for a
  video it is the frame index.

A folder run skips files it cannot read, says which, and goes on; an
unreadable single image or video, a config of the wrong kind or a checkpoint
that does not match stop the demo with a message (exit status 1).
"""
import argparse
import itertools
import json
import os
import os.path as osp
import sys

import cv2
import mmcv
import torch
from mmengine.utils import ProgressBar

from mmpose_ext.apis import (CheckpointMismatchError, ModelConfigError,
                             UnreadableInputError, detect_people,
                             estimate_poses, init_person_detector,
                             init_pose_model, input_kind,
                             instances_to_coco_results, list_images,
                             open_video, read_image)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Top-down pose estimation on images, a folder of images '
        'or a video, with an MMDetection person detector.')
    parser.add_argument('det_config', help='MMDetection 3.x detector config')
    parser.add_argument(
        'det_checkpoint', help='detector checkpoint (path or URL), or none')
    parser.add_argument('pose_config', help='MMPose / mmpose_ext config')
    parser.add_argument(
        'pose_checkpoint', help='pose checkpoint (path or URL), or none')
    parser.add_argument(
        '--input', required=True, help='an image, a folder of images or a '
        'video')
    parser.add_argument(
        '--output-root', required=True,
        help='folder for the drawn outputs and the predictions')
    parser.add_argument(
        '--save-predictions', action='store_true',
        help='write the predictions as COCO keypoint results JSON')
    parser.add_argument(
        '--device', default='cuda:0' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--det-cat-id', type=int, default=0,
        help="the detector's label index of person (0 for COCO)")
    parser.add_argument(
        '--bbox-thr', type=float, default=0.3,
        help='person boxes scoring at or below it are dropped')
    parser.add_argument(
        '--nms-thr', type=float, default=0.3,
        help='IoU threshold of the box NMS (1 keeps every box)')
    parser.add_argument(
        '--kpt-thr', type=float, default=0.3,
        help='keypoints scoring below it are not drawn')
    parser.add_argument('--draw-bbox', action='store_true')
    parser.add_argument('--show-kpt-idx', action='store_true')
    parser.add_argument(
        '--skeleton-style', default='mmpose', choices=['mmpose', 'openpose'])
    parser.add_argument('--radius', type=int, default=3)
    parser.add_argument('--thickness', type=int, default=1)
    parser.add_argument('--alpha', type=float, default=0.8)
    return parser.parse_args(argv)


_VISUALIZER_IDS = itertools.count()


def _checkpoint(value):
    return None if value.lower() == 'none' else value


def build_visualizer(pose_model, args):
    """MMPose's visualizer from the pose config, set up for the demo."""
    from mmpose.registry import VISUALIZERS
    cfg = pose_model.cfg.visualizer.copy()
    if cfg['type'] in ('PoseLocalVisualizer', 'mmpose.PoseLocalVisualizer'):
        # MMPose's own configs: its visualizer cannot draw keypoints under
        # NumPy 2.4; the subclass can (see PoseLocalVisualizerNumpy2)
        cfg['type'] = 'PoseLocalVisualizerNumpy2'
    cfg.update(radius=args.radius, alpha=args.alpha,
               line_width=args.thickness, show_keypoint_weight=True)
    # MMEngine returns the existing visualizer of a name (with its old
    # settings): a new name for each demo run
    cfg['name'] = f'topdown_demo_{next(_VISUALIZER_IDS)}'
    visualizer = VISUALIZERS.build(cfg)
    visualizer.set_dataset_meta(
        pose_model.dataset_meta, skeleton_style=args.skeleton_style)
    return visualizer


class TopdownDemo:
    """Detect, estimate, draw and collect COCO results, one image at a
    time."""

    def __init__(self, detector, pose_model, visualizer, args):
        self.detector = detector
        self.pose_model = pose_model
        self.visualizer = visualizer
        self.args = args
        self.results = []

    def __call__(self, img, source, image_id, file_name):
        """Process one image or frame.

        Args:
            img (np.ndarray): ``(H, W, 3)`` BGR uint8.
            source (str | np.ndarray): what the models read: the image path
                (so that its name reaches them) or the frame itself.
            image_id (int): the id in the results file.
            file_name (str): the name in the results file.

        Returns:
            np.ndarray: the drawn ``(H', W', 3)`` BGR image.
        """
        args = self.args
        boxes = detect_people(self.detector, source, args.det_cat_id,
                              args.bbox_thr, args.nms_thr)
        sample = estimate_poses(self.pose_model, source, boxes)
        self.results += instances_to_coco_results(
            sample.pred_instances, image_id, file_name=file_name)
        self.visualizer.add_datasample(
            'result', mmcv.bgr2rgb(img), data_sample=sample, draw_gt=False,
            draw_bbox=args.draw_bbox, show_kpt_idx=args.show_kpt_idx,
            skeleton_style=args.skeleton_style, show=False,
            kpt_thr=args.kpt_thr)
        return mmcv.rgb2bgr(self.visualizer.get_image())


def _image_ids(paths):
    stems = [osp.splitext(osp.basename(p))[0] for p in paths]
    if stems and all(s.isdigit() for s in stems):
        return [int(s) for s in stems]
    return list(range(len(paths)))


def run_images(demo, paths, output_root, skip_unreadable):
    """Returns the paths skipped as unreadable."""
    skipped = []
    progress = ProgressBar(len(paths)) if len(paths) > 1 else None
    for path, image_id in zip(paths, _image_ids(paths)):
        try:
            img = read_image(path)
        except UnreadableInputError as err:
            if not skip_unreadable:
                raise
            print(f'\nskipped {path}: {err}', file=sys.stderr, flush=True)
            skipped.append(path)
        else:
            name = osp.basename(path)
            drawn = demo(img, path, image_id, name)
            mmcv.imwrite(drawn, osp.join(output_root, name))
        if progress is not None:
            progress.update()
    return skipped


def run_video(demo, path, output_root):
    """Returns the number of frames drawn."""
    reader = open_video(path)
    name = osp.basename(path)
    out_path = osp.join(output_root, name)
    writer = None
    progress = ProgressBar(reader.frame_cnt)
    count = 0
    try:
        for frame in reader:
            drawn = demo(frame, frame, count, name)
            if writer is None:
                writer = cv2.VideoWriter(
                    out_path, cv2.VideoWriter_fourcc(*'mp4v'),
                    reader.fps or 25, (drawn.shape[1], drawn.shape[0]))
                if not writer.isOpened():
                    raise UnreadableInputError(
                        f'cannot write video {out_path!r} (OpenCV mp4v)')
            writer.write(drawn)
            count += 1
            progress.update()
    finally:
        if writer is not None:
            writer.release()
    return count


def main(argv=None):
    args = parse_args(argv)
    try:
        kind = input_kind(args.input)
        # a single unreadable input stops the demo before models are built
        if kind == 'image':
            read_image(args.input)
        elif kind == 'video':
            open_video(args.input)
        detector = init_person_detector(
            args.det_config, _checkpoint(args.det_checkpoint), args.device)
        pose_model = init_pose_model(
            args.pose_config, _checkpoint(args.pose_checkpoint), args.device)
        os.makedirs(args.output_root, exist_ok=True)
        demo = TopdownDemo(detector, pose_model,
                           build_visualizer(pose_model, args), args)
        if kind == 'video':
            frames = run_video(demo, args.input, args.output_root)
            print(f'\ndrew {frames} frames into '
                  f'{osp.join(args.output_root, osp.basename(args.input))}')
        else:
            if kind == 'folder':
                paths, others = list_images(args.input)
                if others:
                    print(f'ignored {len(others)} files whose suffix is not '
                          "an image's: " +
                          ', '.join(osp.basename(p) for p in others))
            else:
                paths = [args.input]
            skipped = run_images(demo, paths, args.output_root,
                                 skip_unreadable=kind == 'folder')
            print(f'\ndrew {len(paths) - len(skipped)} images into '
                  f'{args.output_root}' +
                  (f'; skipped {len(skipped)} unreadable: ' +
                   ', '.join(osp.basename(p) for p in skipped)
                   if skipped else ''))
    except (UnreadableInputError, ModelConfigError,
            CheckpointMismatchError) as err:
        sys.exit(f'error: {err}')
    if args.save_predictions:
        stem = osp.splitext(osp.basename(osp.normpath(args.input)))[0]
        out = osp.join(args.output_root, f'results_{stem}.json')
        with open(out, 'w') as f:
            json.dump(demo.results, f)
        print(f'wrote {len(demo.results)} people to {out}')


if __name__ == '__main__':
    main()
