"""How much accuracy a codec keeps: ground truth through the real pipeline.

    python -m mmpose_ext.tools.codec_roundtrip CONFIG [CONFIG ...] \
        [--input-sizes 256x192 128x96 64x48] [--with-mmpose] \
        [--codec-options KEY=VALUE ...] [--variant [KEY=VALUE ...] ...] \
        [--data-root DIR --ann-file FILE --img-prefix PREFIX] \
        [--record results/benchmarks/NAME.json]

For each config's ``codec`` and each input size, every ground-truth person of
the config's validation set (ground-truth boxes) goes through MMPose's own
transforms, ``LoadImage``, ``GetBBoxCenterScale``, ``TopdownAffine``
(``use_udp=True`` for UDP codecs) and ``GenerateTarget``; the target is
decoded as if a network had predicted it exactly, mapped back to the original
image as ``TopdownPoseEstimator`` does (``x / input_size * scale + center -
scale / 2``) and scored with MMPose's ``CocoMetric``. A perfect codec scores
AP 1.0; the loss is the codec's own error (quantisation, decoding bias).

Other input sizes scale the config's codec: the same stride (heatmap size),
sigma scaled with the input (heatmap pixels or SimDR bins), and the DARK/UDP
modulation kernel recomputed from the scaled sigma with OpenCV's rule
``sigma = 0.3 * ((ks - 1) / 2 - 1) + 0.8`` (at least 3). ``--with-mmpose``
adds MMPose's codecs of the same family with the same settings (for
DARKHeatmap: MSRAHeatmap standard and unbiased; UDPCodec: UDPHeatmap;
SimDRLabel: SimCCLabel), the reference rows of docs/codecs.md.

``--variant`` (repeatable) gives one row per variant and config: its
arguments override the codec's (after ``--codec-options``); a bare
``--variant`` is the config's codec as it is. One command so makes a whole
ablation table (the DARK rows of docs/codecs.md). A row is named by the
codec type and the arguments of ``NAME_KEYS``: two codecs that would share a
row's name and input size but differ (e.g. variants that change only
``sigma``, or two configs with different codecs of one type) are refused
before anything is computed. ``--record`` writes the
rows and the printed table to a benchmark record (``finish_benchmark``),
which ``python -m mmpose_ext.tools.experiment render --docs`` puts into the
docs. Everything is deterministic: no timing, no random numbers.
"""
import argparse
import copy
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmpose.datasets.transforms import GenerateTarget
from mmpose.evaluation import CocoMetric
from mmpose.registry import DATASETS

import mmpose_ext  # noqa: F401  (registers the codecs)
from mmpose_ext.utils.run_record import LoadSampler, finish_benchmark

UDP_CODECS = ('UDPCodec', 'UDPHeatmap')


def parse_size(text: str) -> Tuple[int, int]:
    """'256x192' (height x width, as MMPose names configs) -> (w, h)."""
    try:
        h, w = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'input size {text!r} is not HEIGHTxWIDTH, e.g. 256x192')
    return w, h


def kernel_size_for(sigma: float) -> int:
    """The odd kernel size whose OpenCV sigma is closest to ``sigma``, at
    least 3 (MMPose's ``gaussian_blur`` fails for 1)."""
    ks = 2 * ((sigma - 0.8) / 0.3 + 1) + 1
    return max(3, 2 * int(round((ks - 1) / 2)) + 1)


def scale_codec(codec: dict, input_size: Tuple[int, int]) -> dict:
    """The codec config at another input size with the same stride."""
    codec = copy.deepcopy(dict(codec))
    base_w = codec['input_size'][0]
    if tuple(codec['input_size']) == tuple(input_size):
        return codec
    ratio = input_size[0] / base_w
    codec['input_size'] = tuple(input_size)
    if 'heatmap_size' in codec:
        codec['heatmap_size'] = tuple(
            int(round(s * ratio)) for s in codec['heatmap_size'])
    if 'sigma' in codec:
        sigma = np.asarray(codec['sigma'], dtype=float) * ratio
        codec['sigma'] = sigma.tolist() if sigma.ndim else float(sigma)
        if codec['type'] != 'SimDRLabel' and 'heatmap_size' in codec:
            codec['blur_kernel_size'] = kernel_size_for(float(sigma.max()))
    return codec


def reference_codecs(codec: dict) -> Dict[str, dict]:
    """MMPose's codecs of the same family with the same settings."""
    kind = codec['type']
    if kind == 'DARKHeatmap':
        common = dict(
            input_size=codec['input_size'],
            heatmap_size=codec['heatmap_size'],
            sigma=codec['sigma'],
            blur_kernel_size=codec.get('blur_kernel_size', 11))
        return {
            'MSRAHeatmap standard (MMPose)':
            dict(type='MSRAHeatmap', unbiased=False, **common),
            'MSRAHeatmap unbiased (MMPose)':
            dict(type='MSRAHeatmap', unbiased=True, **common),
        }
    if kind == 'UDPCodec':
        ours_only = ('guarded_decoding', 'zero_weight_outside')
        return {
            'UDPHeatmap (MMPose)':
            dict({k: v
                  for k, v in codec.items() if k not in ours_only},
                 type='UDPHeatmap')
        }
    if kind == 'SimDRLabel':
        smoothing = codec.get('smoothing_type', 'gaussian')
        if codec.get('label_type') == 'one-hot':
            smoothing = 'standard'
        return {
            'SimCCLabel (MMPose)':
            dict(
                type='SimCCLabel',
                input_size=codec['input_size'],
                smoothing_type=smoothing,
                sigma=codec.get('sigma', 6.0),
                simcc_split_ratio=codec.get('simcc_split_ratio', 2.0),
                label_smooth_weight=codec.get('label_smooth_weight', 0.0),
                normalize=codec.get('normalize', True),
                use_dark=codec.get('use_dark', codec.get('refine', False)))
        }
    return {}


# the codec arguments a row's name shows (besides the type)
NAME_KEYS = ('encoding', 'decoding', 'unbiased', 'modulation',
             'log_transform', 'heatmap_type', 'label_type', 'smoothing_type',
             'simcc_split_ratio', 'refine', 'use_dark', 'guarded_decoding')


def codec_name(codec: dict) -> str:
    options = {k: v for k, v in codec.items() if k in NAME_KEYS}
    text = ', '.join(f'{k}={v}' for k, v in options.items())
    return f'{codec["type"]} ({text})' if text else codec['type']


def transformed_instances(dataset_cfg: dict, input_size: Tuple[int, int],
                          use_udp: bool) -> Tuple[list, dict]:
    """Every instance after LoadImage, GetBBoxCenterScale and TopdownAffine,
    and the dataset's metainfo."""
    cfg = copy.deepcopy(dataset_cfg)
    cfg.update(
        bbox_file=None,  # ground-truth boxes: measure the codec only
        test_mode=True,
        pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(type='TopdownAffine', input_size=input_size,
                 use_udp=use_udp),
        ])
    dataset = DATASETS.build(cfg)
    return [dataset[i] for i in range(len(dataset))], dataset.metainfo


def roundtrip_ap(codec_cfg: dict, instances: List[dict], metainfo: dict,
                 ann_file: str) -> Tuple[float, float]:
    """CocoMetric AP of the decoded targets and the mean error (original
    image pixels) over labelled keypoints."""
    generate = GenerateTarget(encoder=codec_cfg)
    codec = generate.encoder
    metric = CocoMetric(ann_file=ann_file)
    metric.dataset_meta = metainfo
    errors = []
    for results in instances:
        encoded = generate(copy.deepcopy(results))
        if 'heatmaps' in encoded:
            keypoints, scores = codec.decode(encoded['heatmaps'])
        else:
            keypoints, scores = codec.decode(encoded['keypoint_x_labels'],
                                             encoded['keypoint_y_labels'])
        scale, center = results['input_scale'], results['input_center']
        keypoints = (keypoints / np.array(codec_cfg['input_size']) * scale +
                     center - 0.5 * scale)
        labelled = results['keypoints_visible'] > 0
        distance = np.linalg.norm(keypoints - results['keypoints'], axis=-1)
        errors.append(distance[labelled])
        metric.process([], [
            dict(
                id=results['id'],
                img_id=results['img_id'],
                category_id=results.get('category_id', 1),
                ori_shape=results['ori_shape'],
                pred_instances=dict(
                    keypoints=keypoints, keypoint_scores=scores),
                gt_instances=dict(
                    bbox_scores=results['bbox_score'],
                    bbox_scales=results['bbox_scale']),
            )
        ])
    ap = metric.evaluate(len(instances))['coco/AP']
    return ap, float(np.concatenate(errors).mean())


class VariantAction(DictAction):
    """``--variant KEY=VALUE ...``: each use appends one dict of codec
    arguments (parsed as ``DictAction`` parses them); a bare ``--variant``
    appends ``{}``."""

    def __call__(self, parser, namespace, values, option_string=None):
        options = argparse.Namespace()
        super().__call__(parser, options, values or [], option_string)
        variants = list(getattr(namespace, self.dest, None) or [])
        variants.append(getattr(options, self.dest, None) or {})
        setattr(namespace, self.dest, variants)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Round-trip accuracy of codecs (CocoMetric on decoded '
        'ground truth)')
    parser.add_argument('configs', nargs='+', metavar='CONFIG')
    parser.add_argument(
        '--input-sizes', nargs='+', type=parse_size,
        default=[(192, 256), (96, 128), (48, 64)],
        help='HEIGHTxWIDTH sizes (default: 256x192 128x96 64x48)')
    parser.add_argument(
        '--with-mmpose', action='store_true',
        help="add MMPose's codecs of the same family as reference rows")
    parser.add_argument(
        '--codec-options', nargs='+', action=DictAction, default={},
        help='override codec arguments of every config, e.g. '
        'encoding=quantized decoding=shift (DARK ablations)')
    parser.add_argument(
        '--variant', dest='variants', nargs='*', action=VariantAction,
        default=None, metavar='KEY=VALUE',
        help='one row per use: codec arguments over --codec-options; a bare '
        '--variant is the codec as configured (default: one bare variant)')
    parser.add_argument('--data-root', help='override the val data_root')
    parser.add_argument('--ann-file', help='override the val ann_file '
                        '(relative to the data root)')
    parser.add_argument('--img-prefix', help='override the image prefix')
    parser.add_argument(
        '--record', default=None, metavar='results/benchmarks/NAME.json',
        help='write the rows and the table as a benchmark record here')
    return parser.parse_args(argv)


def _source(path: str, variant: dict) -> str:
    options = ' '.join(f'{k}={v}' for k, v in variant.items())
    return f'{path} with --variant {options}' if options else path


def add_row(plan: dict, name: str, size: Tuple[int, int], codec_cfg: dict,
            dataset_cfg: dict, source: str) -> None:
    """Plan the row ``name`` at ``size`` in ``plan`` (``{(name, size):
    (codec_cfg, dataset_cfg, source)}``). A name already planned at that size
    with the same codec and data (e.g. MMPose's reference row of two
    variants that differ only in arguments it lacks) is one row; with
    another codec or data it would overwrite the first row's numbers, and
    is refused."""
    key = (name, size)
    if key not in plan:
        plan[key] = (codec_cfg, dataset_cfg, source)
        return
    first_codec, first_data, first_source = plan[key]
    if first_codec == codec_cfg and first_data == dataset_cfg:
        return
    differ = sorted(k for k in set(first_codec) | set(codec_cfg)
                    if first_codec.get(k) != codec_cfg.get(k))
    w, h = size
    raise ValueError(
        f'codec_roundtrip: two rows would be named {name!r} at {h}x{w}, '
        f'from {first_source} and from {source}, but they differ '
        f'({", ".join(differ) if differ else "in their data"}); a row\'s '
        f'name shows only the codec type and {", ".join(NAME_KEYS)}, so '
        'run such codecs in separate commands')


def main(argv=None):
    args = parse_args(argv)
    init_default_scope('mmpose')
    # every row first, so that a clash is refused before minutes of work
    plan: Dict[Tuple[str, Tuple[int, int]], Tuple[dict, dict, str]] = {}
    for path in args.configs:
        if not osp.isfile(path):
            raise FileNotFoundError(f'config {path!r} does not exist')
        cfg = Config.fromfile(path)
        if 'codec' not in cfg:
            raise ValueError(f'{path} has no top-level `codec` dict')
        dataset_cfg = cfg.val_dataloader.dataset.to_dict()
        if args.data_root is not None:
            dataset_cfg['data_root'] = args.data_root
        if args.ann_file is not None:
            dataset_cfg['ann_file'] = args.ann_file
        if args.img_prefix is not None:
            dataset_cfg['data_prefix'] = dict(img=args.img_prefix)
        for variant in args.variants or [{}]:
            for size in args.input_sizes:
                codec = scale_codec(
                    {**cfg.codec.to_dict(), **args.codec_options,
                     **variant}, size)
                variants = {f'{codec_name(codec)}': codec}
                if args.with_mmpose:
                    variants.update(reference_codecs(codec))
                for name, codec_cfg in variants.items():
                    add_row(plan, name, size, codec_cfg, dataset_cfg,
                            _source(path, variant))

    rows: Dict[str, Dict[Tuple[int, int], Tuple[float, float]]] = {}
    cache = {}
    load = LoadSampler().__enter__()
    for (name, size), (codec_cfg, dataset_cfg, _) in plan.items():
        ann_file = osp.join(dataset_cfg.get('data_root', ''),
                            dataset_cfg['ann_file'])
        use_udp = codec_cfg['type'] in UDP_CODECS
        key = (str(sorted(dataset_cfg.items())), size, use_udp)
        if key not in cache:
            cache[key] = transformed_instances(dataset_cfg, size, use_udp)
        instances, metainfo = cache[key]
        rows.setdefault(name, {})[size] = roundtrip_ap(
            codec_cfg, instances, metainfo, ann_file)
    load.__exit__(None, None, None)
    sizes = args.input_sizes
    header = ' | '.join(f'{h}x{w} AP / err px' for w, h in sizes)
    lines = [
        'CocoMetric AP of the decoded ground truth (ground-truth boxes) / '
        'mean error in original-image pixels over labelled keypoints',
        f'| codec | {header} |', '|' + ' --- |' * (len(sizes) + 1)]
    for name, results in rows.items():
        cells = ' | '.join(
            f'{results[s][0]:.3f} / {results[s][1]:.2f}' if s in results
            else '-' for s in sizes)
        lines.append(f'| {name} | {cells} |')
    print('\n'.join(lines[1:]))
    if args.record:
        finish_benchmark('codec_roundtrip', args.record, load, [
            dict(codec=name, input_size=f'{h}x{w}', ap=ap, error_px=error)
            for name, results in rows.items()
            for (w, h), (ap, error) in results.items()], lines)


if __name__ == '__main__':
    main()
