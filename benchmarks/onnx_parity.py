"""ONNX parity: onnxruntime against PyTorch on real crops, per family.

    python benchmarks/onnx_parity.py [--configs CFG ...] [--threads 1]
        [--data-root DIR] [--record results/benchmarks/onnx_parity.json]

What ``tests/tools/test_export_onnx.py`` checks (<= 1e-4), with the
differences written down: each coco_tiny config with random weights
(``torch.manual_seed(0)``) is exported by
:func:`mmpose_ext.tools.export_onnx.export_onnx` (dynamic batch), the crops
of the five annotated people of coco_tiny's ``000000196141.jpg`` are made by
the config's pipeline (:class:`mmpose_ext.apis.OnnxTopdownEstimator`), and
:func:`~mmpose_ext.tools.export_onnx.compare_with_onnxruntime` gives the
largest absolute difference per graph output. No timing.
"""
import argparse
import os.path as osp
import tempfile

import torch

from mmpose_ext.utils.run_record import LoadSampler, finish_benchmark

# (family, config): the coco_tiny configs of the ONNX tests
FAMILIES = [
    ('SimpleBaseline-R18',
     'configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py'),
    ('SimDR-R18', 'configs/simdr/simdr_res18_coco-tiny-128x96.py'),
    ('ViTPose tiny', 'configs/vitpose/td-hm_vitpose-tiny_coco-tiny-128x96.py'),
    ('TFPose-R18 tiny',
     'configs/tfpose/tfpose_res18-tiny_coco-tiny-128x96.py'),
]
IMAGE = '000000196141.jpg'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--configs', nargs='+', default=None,
                        help='configs to export (default: the four families)')
    parser.add_argument('--threads', type=int, default=1,
                        help='PyTorch and onnxruntime intra-op threads')
    parser.add_argument('--data-root', default=None,
                        help='coco_tiny (default: ../shared/data/coco_tiny, '
                        'else /work/shared/data/coco_tiny)')
    parser.add_argument('--record', default=None,
                        help='write the table and the machine as JSON here')
    return parser.parse_args(argv)


def find_coco_tiny(data_root):
    if data_root is not None:
        return data_root
    for candidate in ('../shared/data/coco_tiny',
                      '/work/shared/data/coco_tiny'):
        if osp.isdir(candidate):
            return candidate
    raise SystemExit('coco_tiny not found; pass --data-root')


def main(argv=None):
    args = parse_args(argv)
    from mmpose_ext.apis import OnnxTopdownEstimator, init_pose_model
    from mmpose_ext.testing import CocoGroundTruth
    from mmpose_ext.tools.export_onnx import (compare_with_onnxruntime,
                                              export_onnx)

    torch.set_num_threads(args.threads)
    root = find_coco_tiny(args.data_root)
    boxes = CocoGroundTruth(
        osp.join(root, 'person_keypoints_tiny.json')).boxes[IMAGE]
    families = FAMILIES if args.configs is None else [
        (osp.basename(c), c) for c in args.configs]
    lines = [
        f'threads={args.threads}, torch {torch.__version__}; random weights '
        f'(seed 0), crops of the {len(boxes)} annotated people of {IMAGE}',
        '| family | config | largest abs difference per output |',
        '| --- | --- | --- |']
    rows = []
    with LoadSampler() as load, tempfile.TemporaryDirectory() as tmp:
        for family, config in families:
            torch.manual_seed(0)
            model = init_pose_model(config)
            onnx_file = osp.join(tmp, 'model.onnx')
            export_onnx(model, onnx_file)
            crops, _ = OnnxTopdownEstimator(onnx_file, config).crops(
                osp.join(root, IMAGE), boxes)
            diffs = compare_with_onnxruntime(
                model, onnx_file, crops, threads=args.threads)
            rows.append(dict(family=family, config=config,
                             crops=int(crops.shape[0]), max_abs_diff=diffs))
            cells = ', '.join(f'`{k}` {v:.1e}' for k, v in diffs.items())
            lines.append(f'| {family} | `{config}` | {cells} |')
            print(lines[-1], flush=True)
    print('\n' + '\n'.join(lines))
    finish_benchmark('onnx_parity', args.record, load, rows, lines,
                     threads=args.threads)


if __name__ == '__main__':
    main()
