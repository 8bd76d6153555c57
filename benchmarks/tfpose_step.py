"""CPU time of one training step (forward, losses, backward, optimizer) of
the synthetic-set TFPose configs beside SimpleBaseline-R18, in one run; and
of TFPose with MMCV's per-level ``grid_sample`` sampling against the
compiled CPU kernel (``cpu_sampling='kernel'``, the default), with the same
result.

    .venv/bin/python benchmarks/tfpose_step.py [--repeats 30] [--threads 1]
                                               [--record results/....json]

The same real batch (8 crops of the synthetic train set through the
config's pipeline) is used for every model; the models alternate step by
step, so a machine shared with other work slows them alike: read the ratio
columns. Each round gives one ratio per model (its step over SimpleBaseline's
in the same round); the table prints the median of those paired ratios and
a distribution-free 95 % interval for it (the order statistics a binomial
test puts around the median), which says how far a single run can be
trusted: a ratio is below a target only where the interval's upper end
is. Each model steps with its config's optimizer (PyTorch's per-tensor
loop on the CPU); the rows marked "fused optimizer" step both with PyTorch's
fused CPU implementation of the same optimizer (same update, one kernel
for all tensors), which removes the per-tensor cost that grows with the
number of parameter tensors (TFPose 178, SimpleBaseline-R18 71). The row
"in-place FFN ReLU (before)" is the quickstart with the FFNs' ReLU in place,
as MMCV builds it and as this package did before (same values): the share
of that change in the same run. The rows "aux 4x4 deconvolution (before)"
and "aux heatmaps at stride 8" are the quickstart with another auxiliary
branch (``OTHER_AUX``): the one it had until issue 19 (the share of that
change), and a cheaper one the ``tfpose_aux_head`` experiment trained. Also
printed: the largest difference between the two samplings'
losses and gradients after one step from the same weights.
"""
import argparse
import copy
import os
import os.path as osp
import statistics
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SB = 'configs/simplebaseline/td-hm_res18_synthetic-128x96.py'
QS = 'configs/tfpose/tfpose_res18_synthetic-128x96.py'
PAPER = 'configs/tfpose/tfpose_res18-paper_synthetic-128x96.py'
# the quickstart with other auxiliary branches: the 4x4 deconvolution it
# had until issue 19, and heatmaps at stride 8 (an arm of the
# tfpose_aux_head experiment, which measures their AP)
OTHER_AUX = {
    'aux 4x4 deconvolution (before)':
    'configs/tfpose/tfpose_res18-aux-deconv4x4_synthetic-128x96.py',
    'aux heatmaps at stride 8': 'configs/experiments/tfpose_aux_head/'
    'tfpose_res18_synthetic-128x96_aux-stride8.py',
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=30)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--record', default=None,
                        help='write the table and the machine as JSON here')
    args = parser.parse_args()
    os.environ['MMPOSE_EXT_SYNTHETIC'] = args.data_root
    import torch
    torch.set_num_threads(args.threads)
    from mmengine.optim import build_optim_wrapper

    from mmpose_ext.utils.benchmark_models import build_for_training
    from mmpose_ext.utils.run_record import (LoadSampler, finish_benchmark,
                                             median_interval)

    def build(config, **head):
        return build_for_training(
            osp.join(REPO, config),
            {f'model.head.{key}': value for key, value in head.items()})

    entries = {}
    sb, sb_cfg, sb_batch = build(SB)
    entries['SimpleBaseline-R18'] = (sb, sb_cfg, sb_batch)
    for name, config in (('TFPose quickstart', QS),
                         ('TFPose r18 (paper arch.)', PAPER)):
        for sampling in (None, 'kernel'):
            model, cfg, batch = build(config, cpu_sampling=sampling)
            label = f"{name}, {sampling or 'MMCV grid_sample'}"
            entries[label] = (model, cfg, batch)

    # same weights, same batch: the two samplings give the same step
    for name in ('TFPose quickstart', 'TFPose r18 (paper arch.)'):
        a = entries[f'{name}, MMCV grid_sample'][0]
        b = entries[f'{name}, kernel'][0]
        b.load_state_dict(a.state_dict())
        batch = entries[f'{name}, kernel'][2]
        grads, losses = [], []
        for m in (a, b):
            m.zero_grad()
            data = m.data_preprocessor(batch, True)
            loss = m._run_forward(data, mode='loss')
            total = sum(v for k, v in loss.items() if k.startswith('loss'))
            total.backward()
            losses.append(float(total))
            grads.append([p.grad.clone() for p in m.parameters()
                          if p.grad is not None])
        gdiff = max(float((x - y).abs().max()) for x, y in zip(*grads))
        print(f'{name}: loss {losses[0]:.6f} vs {losses[1]:.6f}, '
              f'max |grad difference| {gdiff:.2e}')

    # the share of one change (issue 19, item 2): the quickstart as it was
    # with MMCV's in-place FFN ReLU, whose backward copies the hidden
    # activation (CopySlices); same weights and values as the kernel row
    model, cfg, batch = build(QS)
    for name, module in model.head.named_modules():
        if isinstance(module, torch.nn.ReLU) and '.ffn.' in f'.{name}.':
            module.inplace = True
    entries['TFPose quickstart, kernel, in-place FFN ReLU (before)'] = (
        model, cfg, batch)
    for name, config in OTHER_AUX.items():
        entries[f'TFPose quickstart, kernel, {name}'] = build(config)

    steppers = {}
    for label, (model, cfg, batch) in entries.items():
        wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
        steppers[label] = (model, wrapper, batch)
    for label in ('SimpleBaseline-R18', 'TFPose quickstart, kernel'):
        model, cfg, batch = build(SB if label.startswith('Simple') else QS)
        optim = copy.deepcopy(cfg.optim_wrapper)
        optim.optimizer['fused'] = True
        steppers[f'{label}, fused optimizer'] = (
            model, build_optim_wrapper(model, optim), batch)
    times = {label: [] for label in steppers}
    with LoadSampler() as load:
        for r in range(args.repeats + 1):
            for label, (model, wrapper, batch) in steppers.items():
                start = time.perf_counter()
                model.train_step(batch, wrapper)
                if r:  # the first round warms up
                    times[label].append(time.perf_counter() - start)
    lines = [f'torch {torch.__version__}, {torch.get_num_threads()} '
             f'thread(s), batch 8 at 128x96, {args.repeats} rounds',
             '| model | s / step (median) | ratio to SB-R18 (same optimizer '
             'implementation), median of the rounds | 95 % interval |',
             '| --- | ---: | ---: | :---: |']
    rows = []
    for label, ts in times.items():
        ref = times['SimpleBaseline-R18, fused optimizer'
                    if label.endswith('fused optimizer')
                    else 'SimpleBaseline-R18']
        ratios = [t / r for t, r in zip(ts, ref)]
        low, high = median_interval(ratios)
        t, ratio = statistics.median(ts), statistics.median(ratios)
        rows.append(dict(model=label, s_per_step=t, ratio=ratio,
                         ratio_low=low, ratio_high=high))
        lines.append(f'| {label} | {t:.3f} | {ratio:.3f} | '
                     f'{low:.3f}-{high:.3f} |')
    print('\n' + '\n'.join(lines))
    finish_benchmark('tfpose_step', args.record, load, rows, lines,
                     threads=torch.get_num_threads(),
                     repeats=args.repeats)

if __name__ == '__main__':
    sys.exit(main())
