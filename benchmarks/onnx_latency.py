"""CPU latency of exported ONNX models (onnxruntime) against PyTorch.

    python benchmarks/onnx_latency.py [--configs CFG ...] [--batch-sizes 1 8]
                                      [--repeats 5] [--threads 2]
                                      [--record results/benchmarks/onnx_latency.json]

For each config: the model (random weights: latency does not depend on
them) is exported by :func:`mmpose_ext.tools.export_onnx.export_onnx`
(dynamic batch) and both runtimes time the same graph, crops -> raw head
outputs (normalisation included, decoding and flip test excluded), on the
same seeded batch: PyTorch eager (``torch.no_grad``) and onnxruntime's CPU
provider, each with ``--threads`` intra-op threads. Runs alternate between the
two so that both see the same load on a shared machine; the table gives the
best and the median of ``--repeats`` runs per batch and the ratio PyTorch /
onnxruntime of the best times (> 1: onnxruntime is faster), and the largest
output difference.
"""
import argparse
import os
import os.path as osp
import tempfile
import time

import numpy as np
import torch

from mmpose_ext.utils.run_record import (LoadSampler, alternating_times,
                                         finish_benchmark)

DEFAULT_CONFIGS = [
    'configs/dark_r50.py',  # the SimpleBaseline-R50 graph (decoding is outside)
    'configs/simdr_r50.py',
    'configs/vitpose_s.py',
    'configs/vitpose_b.py',
    'configs/tfpose_r50.py',
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--configs', nargs='+', default=DEFAULT_CONFIGS)
    parser.add_argument('--batch-sizes', nargs='+', type=int, default=[1, 8])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--record', default=None,
                        help='write the table and the machine as JSON here')
    return parser.parse_args()


def alternate(fn_a, fn_b, repeats):
    """Best and median seconds of two functions run alternately."""
    times = alternating_times([fn_a, fn_b], repeats)
    return [(min(t), float(np.median(t))) for t in times]


def main():
    args = parse_args()
    import onnxruntime as ort

    from mmpose_ext.apis import init_pose_model
    from mmpose_ext.tools.export_onnx import TopdownOnnxWrapper, export_onnx

    torch.set_num_threads(args.threads)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    rows = []
    load = LoadSampler().__enter__()
    with tempfile.TemporaryDirectory() as tmp:
        for config in args.configs:
            torch.manual_seed(0)
            model = init_pose_model(config)
            wrapper = TopdownOnnxWrapper(model).eval()
            onnx_file = osp.join(tmp, 'model.onnx')
            start = time.perf_counter()
            export_onnx(model, onnx_file)
            export_s = time.perf_counter() - start
            session = ort.InferenceSession(
                onnx_file, options, providers=['CPUExecutionProvider'])
            width, height = model.cfg.codec['input_size']
            for batch in args.batch_sizes:
                rng = np.random.default_rng(0)
                crops = rng.uniform(0, 255, (batch, 3, height, width)).astype(
                    np.float32)
                tensor = torch.from_numpy(crops)

                def run_torch():
                    with torch.no_grad():
                        return wrapper(tensor)

                def run_ort():
                    return session.run(None, {'input': crops})

                ref = run_torch()
                ref = ref if isinstance(ref, tuple) else (ref, )
                diff = max(
                    float(np.abs(o - r.numpy()).max())
                    for o, r in zip(run_ort(), ref))
                (pt_best, pt_med), (ort_best, ort_med) = alternate(
                    run_torch, run_ort, args.repeats)
                rows.append((osp.basename(config), f'{height}x{width}', batch,
                             pt_best, pt_med, ort_best, ort_med,
                             pt_best / ort_best, diff, export_s))
            os.remove(onnx_file)
    load.__exit__(None, None, None)
    lines = [
        f'threads={args.threads}, repeats={args.repeats}, torch '
        f'{torch.__version__}, onnxruntime {ort.__version__}',
        '| config | input | batch | PyTorch ms (best / median) | '
        'onnxruntime ms (best / median) | PyTorch / ORT | max abs diff | '
        'export s |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |']
    for (name, size, batch, pt_b, pt_m, ort_b, ort_m, ratio, diff,
         export_s) in rows:
        lines.append(
            f'| {name} | {size} | {batch} | {pt_b * 1e3:.1f} / '
            f'{pt_m * 1e3:.1f} | {ort_b * 1e3:.1f} / {ort_m * 1e3:.1f} | '
            f'{ratio:.2f} | {diff:.1e} | {export_s:.0f} |')
    print('\n' + '\n'.join(lines))
    finish_benchmark('onnx_latency', args.record, load, [
        dict(config=r[0], input=r[1], batch=r[2], torch_s=r[3],
             onnxruntime_s=r[5], max_abs_diff=r[8]) for r in rows],
        lines, threads=args.threads, repeats=args.repeats)

if __name__ == '__main__':
    main()
