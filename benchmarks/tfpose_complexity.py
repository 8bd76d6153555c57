"""GFLOPs and parameters of the TFPose configs beside MMPose's
SimpleBaseline-R50, all under MMEngine's counter in one run.

    .venv/bin/python benchmarks/tfpose_complexity.py [--ablation] \
        [--record results/benchmarks/tfpose_complexity.json]

Counted: one image, inference graph (``model._forward``: backbone, neck,
head forward; no flip test, no auxiliary heatmap branch), multiply-adds as
"FLOPs" (MMEngine's convention). The deformable sampling is in the count:
on the CPU it is ``aten::grid_sampler`` (MMEngine: 4 per sampled value); the
``sampling`` column shows that part. ``get_model_complexity_info`` is run as
well and must give the same total (``check`` column). ``--ablation`` adds the
settings that move the cost (feature levels, FFN width, sampling points,
q2q, N_E).
"""
import argparse
import logging
import warnings

import torch
from mmengine.analysis import get_model_complexity_info, parameter_count

from mmpose_ext.utils import flop_analyzer
from mmpose_ext.utils.run_record import LoadSampler, finish_benchmark
from mmpose_ext.utils.benchmark_models import (SIMPLEBASELINE_R50,
                                               build_model, input_shape)

CFG = 'configs/tfpose/'
R50 = CFG + 'tfpose_res50_8xb32-210e_coco-256x192.py'
# (name, config, overrides, paper GFLOPs)
MAIN = [
    ('SimpleBaseline-R50 (MMPose)', SIMPLEBASELINE_R50, {}, 8.9),
    ('tfpose_r50 (C3-C5, N_E=4)', R50, {}, 7.7),
    ('tfpose_r50_enc6 (C3-C5, N_E=6)',
     CFG + 'tfpose_res50-enc6_8xb32-210e_coco-256x192.py', {}, 9.2),
    ('tfpose_r50_384x288 (C3-C5, N_E=6)',
     CFG + 'tfpose_res50-enc6_8xb32-210e_coco-384x288.py', {}, 20.4),
    ('tfpose_r50 C2-C5 (N_E=4)',
     CFG + 'tfpose_res50-c2c5_8xb32-210e_coco-256x192.py', {}, None),
    ('tfpose_r18 (C3-C5, N_E=6)',
     CFG + 'tfpose_res18_8xb32-210e_coco-256x192.py', {}, 6.76),
]
ABLATION = [
    ('r50 N_E=4, FFN 512', R50, dict(feedforward_channels=512), None),
    ('r50 N_E=4, FFN 256', R50, dict(feedforward_channels=256), None),
    ('r50 N_E=4, 2 points', R50, dict(num_points=2), None),
    ('r50 N_E=4, no q2q', R50, dict(with_q2q=False), None),
    ('r50 N_E=2', R50, dict(num_encoder_layers=2), None),
    ('r50 N_E=4, C4-C5', R50,
     dict(backbone_out_indices=(2, 3), neck_in_channels=[1024, 2048]), None),
    ('r50 N_E=4, N_D=1', R50, dict(num_decoder_layers=1), None),
]


def count(name, config, overrides, paper):
    model = build_model(config, **overrides)
    h, w = input_shape(config)
    images = torch.randn(1, 3, h, w)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        analyzer = flop_analyzer(model, (images, ))
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        total = analyzer.total()
        by_module = analyzer.by_module()
        by_op = analyzer.by_operator()
        host = get_model_complexity_info(
            model, inputs=(images, ), show_table=False, show_arch=False)
    params = parameter_count(model)
    aux = params.get('model.head.aux_head', 0)
    row = dict(
        name=name,
        gflops=total / 1e9,
        check='same' if host['flops'] == total else
        f"differs: {host['flops'] / 1e9:.3f}",
        backbone=by_module.get('model.backbone', 0) / 1e9,
        neck=by_module.get('model.neck', 0) / 1e9,
        encoder=by_module.get('model.head.encoder', 0) / 1e9,
        decoder=by_module.get('model.head.query_decoder', 0) / 1e9,
        sampling=by_op.get('grid_sampler', 0) / 1e9,
        params=(params[''] - aux) / 1e6,
        paper=paper)
    head = model.model.head
    if hasattr(head, 'encoder'):
        n_e = len(head.encoder.layers)
        tokens = sum((h // s) * (w // s) for s in
                     (4, 8, 16, 32)[-head.num_feature_levels:])
        row['tokens'] = tokens
        row['per_layer_per_token'] = row['encoder'] * 1e9 / n_e / tokens / 1e6
    return row


def main():
    # the counters warn about every uncounted element-wise op
    logging.getLogger('mmengine').setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ablation', action='store_true')
    parser.add_argument('--record', default=None,
                        help='write the table and the machine as JSON here')
    args = parser.parse_args()
    load = LoadSampler().__enter__()
    rows = [count(*spec) for spec in MAIN + (ABLATION if args.ablation else [])]
    load.__exit__(None, None, None)
    base = rows[0]['gflops']
    paper_base = rows[0]['paper']
    lines = ['GFLOPs counted by mmpose_ext.utils.flop_analyzer (one multiply-add = one FLOP)' + (', with the ablation rows' if args.ablation else '')]
    lines.append('| model | tokens | GFLOPs | backbone | neck | encoder | '
          'M per enc. layer & token | decoder | sampling | params (M) | '
          'ratio to SB-R50 | paper GFLOPs | paper ratio | '
          'get_model_complexity_info |')
    lines.append('|' + ' --- |' * 14)
    for r in rows:
        paper = f"{r['paper']:.2f}" if r['paper'] else '-'
        paper_ratio = f"{r['paper'] / paper_base:.3f}" if r['paper'] else '-'
        per_tok = f"{r['per_layer_per_token']:.3f}" \
            if 'per_layer_per_token' in r else '-'
        lines.append(f"| {r['name']} | {r.get('tokens', '-')} | {r['gflops']:.2f} | "
              f"{r['backbone']:.2f} | {r['neck']:.3f} | {r['encoder']:.2f} | "
              f"{per_tok} | {r['decoder']:.3f} | {r['sampling']:.3f} | "
              f"{r['params']:.2f} | {r['gflops'] / base:.3f} | {paper} | "
              f"{paper_ratio} | {r['check']} |")

    print('\n'.join(lines))
    finish_benchmark('tfpose_complexity', args.record, load, rows, lines,
                     ablation=args.ablation)

if __name__ == '__main__':
    main()
