"""Draw TFPose's decoder attention for one person in one image.

    .venv/bin/python demo/tfpose_attention.py CONFIG IMAGE \
        [--checkpoint CKPT] [--bbox X Y W H] [--keypoint left_wrist] \
        [--layer -1] [--out-dir outputs/tfpose_attention]

Writes ``q2q.png`` (each decoder layer's K x K query-to-query attention,
labelled with the keypoint names; paper Fig. 6) and
``p2q_<keypoint>_layer<d>.png`` (where layer d's pixel-to-query attention
samples for that keypoint, coloured by weight, one panel per feature level,
the yellow circle the keypoint estimate it samples around; paper Fig. 7).
Without ``--checkpoint`` the weights are random (useful only to try the tool).
"""
import argparse
import os
import os.path as osp

import mmcv
import numpy as np
from mmpose.apis import inference_topdown

from mmpose_ext.apis import init_pose_model
from mmpose_ext.visualization import (TFPoseAttentionRecorder, draw_p2q,
                                      draw_q2q)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('image')
    parser.add_argument('--checkpoint', default=None)
    parser.add_argument('--bbox', type=float, nargs=4, default=None,
                        metavar=('X', 'Y', 'W', 'H'),
                        help='the person box (default: the whole image)')
    parser.add_argument('--keypoint', default='left_wrist')
    parser.add_argument('--layer', type=int, default=-1,
                        help='decoder layer for the p2q picture, 1-based; '
                        '-1 = the last')
    parser.add_argument('--out-dir', default='outputs/tfpose_attention')
    return parser.parse_args()


def main():
    args = parse_args()
    # strict and weights-only: a checkpoint of another config is refused
    model = init_pose_model(args.config, args.checkpoint, device='cpu')
    if not hasattr(model.head, 'query_decoder'):
        raise SystemExit(f'{args.config} is not a TFPose config (its head is '
                         f'{type(model.head).__name__})')
    names = [model.dataset_meta['keypoint_id2name'][i]
             for i in range(model.dataset_meta['num_keypoints'])]
    if args.keypoint not in names:
        raise SystemExit(f'unknown --keypoint {args.keypoint!r}; one of '
                         f'{", ".join(names)}')
    num_layers = len(model.head.query_decoder.layers)
    layer = num_layers if args.layer == -1 else args.layer
    if not 1 <= layer <= num_layers:
        raise SystemExit(f'--layer must be in 1..{num_layers} or -1')
    image = mmcv.imread(args.image, channel_order='rgb')
    h, w = image.shape[:2]
    bbox = np.array([args.bbox if args.bbox else [0, 0, w, h]])
    bbox[:, 2:] += bbox[:, :2]  # xywh -> xyxy

    # one forward, no flip test: the attention of the image itself
    model.test_cfg['flip_test'] = False
    with TFPoseAttentionRecorder(model.head) as rec:
        sample = inference_topdown(model, image, bbox, bbox_format='xyxy')[0]
    os.makedirs(args.out_dir, exist_ok=True)

    q2q = [m[0].numpy() for m in rec.q2q[0] if m is not None]
    if q2q:
        draw_q2q(q2q, names, osp.join(args.out_dir, 'q2q.png'))
    else:
        print('this model has no q2q attention (with_q2q=False)')

    k = names.index(args.keypoint)
    # normalized input coordinates -> image pixels through the crop's box,
    # the conversion TopdownPoseEstimator applies to its predictions
    center = np.asarray(sample.metainfo['input_center'])
    scale = np.asarray(sample.metainfo['input_scale'])
    to_image = lambda p: p * scale + center - 0.5 * scale  # noqa: E731
    locations = to_image(rec.sampling_locations[0][layer - 1][0, k].numpy())
    weights = rec.attention_weights[0][layer - 1][0, k].numpy()
    reference = to_image(rec.reference_points[0][layer - 1][0, k].numpy())
    levels = locations.shape[1]
    level_names = [f'C{c}' for c in range(6 - levels, 6)]
    out_file = osp.join(args.out_dir, f'p2q_{args.keypoint}_layer{layer}.png')
    crop = np.concatenate([center - 0.5 * scale, center + 0.5 * scale])
    draw_p2q(image, locations, weights, reference, out_file, level_names,
             title=f'{args.keypoint}, decoder layer {layer}', box=crop)
    print(f'wrote {args.out_dir}')


if __name__ == '__main__':
    main()
