"""Where the quickstart TFPose's training step goes, part by part, beside
SimpleBaseline-R18's, in one run (issue 19, item 2: each part's share).

    .venv/bin/python benchmarks/tfpose_step_parts.py [--repeats 20]
        [--threads 1] [--record results/benchmarks/tfpose_step_parts.json]

Each part runs its forward and backward alone, on what the part before it
gives for the same real batch (8 crops of the synthetic train set at
128x96, through each config's pipeline), detached and made to require a
gradient, so that its backward computes what it computes inside the step:
the gradients of its weights and of its input (the backbone's images need
none). The backward starts from gradients of ones (a loss' gradient costs
the same whatever its values). ``head + losses`` is each model's whole head
with its losses and training accuracy (``head.loss``: SimpleBaseline's
deconvolutions, heatmap loss and ``acc_pose``; TFPose's encoder, query
decoder, auxiliary branch, the L1 loss of every decoder layer and
``acc_pose``), the like-for-like comparison; TFPose's rows after it split
its head (without the regression losses). ``optimizer`` is each config's
optimizer (SimpleBaseline: Adam; TFPose: AdamW) as PyTorch runs it on the
CPU (one update per parameter tensor) with every gradient present, stepped
and zeroed by the optimizer wrapper as ``update_params`` does; ``train
step`` is the whole of MMEngine's ``train_step`` (data preprocessor,
forward, losses, backward, optimizer), what ``benchmarks/tfpose_step.py``
times. Every part of both models and both
steps alternate call by call, one round after another.

One row times another auxiliary branch (``OTHER_AUX``: the 4x4
deconvolution the quickstart had until issue 19, where it now has a 2x2
one, taken from its config) in the quickstart head's place on the same memory; its last column
gives the step ratio with that branch instead (the step, less today's
branch, plus that one, per round).

Printed per part: the median time and its distribution-free 95 % interval
over the rounds, and for TFPose's parts the ratio of its step to
SimpleBaseline's step with that part's time taken away (per round, median):
what the step ratio would be if that part cost nothing. The parts do not
add up to the step: the step also runs the preprocessor, the regression
losses and their accuracy, ``zero_grad`` and the optimizer wrapper's
bookkeeping.
"""
import argparse
import copy
import os
import os.path as osp
import statistics
import sys
from functools import partial

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SB = 'configs/simplebaseline/td-hm_res18_synthetic-128x96.py'
QS = 'configs/tfpose/tfpose_res18_synthetic-128x96.py'
# the quickstart's auxiliary branch is one 2x2 deconvolution of 128
# channels; until issue 19 it was a 4x4 one (to the same 32x24 heatmaps):
# the config of that model
OTHER_AUX = {
    '4x4 deconvolution (before)':
    'configs/tfpose/tfpose_res18-aux-deconv4x4_synthetic-128x96.py',
}


def backward_from_ones(outputs):
    """Backward from gradients of ones into every tensor of ``outputs``."""
    import torch
    outputs = [o for o in outputs if o.requires_grad]
    torch.autograd.backward(outputs, [torch.ones_like(o) for o in outputs])


def aux_loss_with(branch, head, memory, feats, data_samples):
    """The auxiliary loss of ``head`` computed with ``branch`` in place of
    its own auxiliary branch (forward and backward)."""
    own, head.aux_head = head.aux_head, branch
    try:
        head._aux_loss(leaves([memory])[0], feats, data_samples).backward()
    finally:
        head.aux_head = own


def leaves(tensors):
    """Detached copies of ``tensors`` that require a gradient (views of the
    same storage: nothing is copied)."""
    return [t.detach().requires_grad_() for t in tensors]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=20)
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
    from mmpose_ext.utils.run_record import (LoadSampler, alternating_times,
                                             finish_benchmark,
                                             median_interval)

    def build(config):
        model, cfg, batch = build_for_training(osp.join(REPO, config))
        wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
        return model, wrapper, batch

    def optimizer_part(model, wrapper):
        params = [p for p in model.parameters() if p.requires_grad]
        grads = [torch.ones_like(p) for p in params]

        def step():
            for p, g in zip(params, grads):
                p.grad = g
            # as OptimWrapper.update_params after the backward (gradient
            # clipping included, where a config asks for it); zero_grad
            # drops the gradients, so the next backward allocates its own,
            # as in a train step
            wrapper.step()
            wrapper.zero_grad()
        return step

    sb, sb_wrapper, sb_batch = build(SB)
    tf, tf_wrapper, tf_batch = build(QS)
    others = {
        name: build(config)[0].head.aux_head
        for name, config in OTHER_AUX.items()
    }
    sb_data = sb.data_preprocessor(sb_batch, True)
    tf_data = tf.data_preprocessor(tf_batch, True)
    with torch.no_grad():
        sb_feats = sb.backbone(sb_data['inputs'])
        tf_c = tf.backbone(tf_data['inputs'])
        tf_n = tf.neck(tf_c)
        memory, shapes, starts, valid_ratios = tf.head.encode(tf_n)
    head = tf.head

    def head_and_losses(model, feats, data):
        def run():
            losses = model.head.loss(
                tuple(leaves(feats)), data['data_samples'])
            sum(v for k, v in losses.items()
                if k.startswith('loss')).backward()
        return run

    parts = {
        ('SimpleBaseline-R18', 'backbone'):
        lambda: backward_from_ones(sb.backbone(sb_data['inputs'])),
        ('SimpleBaseline-R18', 'head + losses'):
        head_and_losses(sb, sb_feats, sb_data),
        ('SimpleBaseline-R18', 'optimizer'): optimizer_part(sb, sb_wrapper),
        ('SimpleBaseline-R18', 'train step'):
        lambda: sb.train_step(sb_batch, sb_wrapper),
        ('TFPose quickstart', 'backbone'):
        lambda: backward_from_ones(tf.backbone(tf_data['inputs'])),
        ('TFPose quickstart', 'neck'):
        lambda: backward_from_ones(tf.neck(tuple(leaves(tf_c)))),
        ('TFPose quickstart', 'head + losses'):
        head_and_losses(tf, tf_n, tf_data),
        ('TFPose quickstart', 'encoder'):
        lambda: backward_from_ones([head.encode(leaves(tf_n))[0]]),
        ('TFPose quickstart', 'query decoder'):
        lambda: backward_from_ones([head.query_decoder(
            leaves([memory])[0], shapes, starts, valid_ratios)]),
        ('TFPose quickstart', 'auxiliary branch + loss'):
        lambda: head._aux_loss(leaves([memory])[0], tf_n,
                               tf_data['data_samples']).backward(),
        **{('TFPose quickstart',
            f'auxiliary branch + loss, {name}'):
           partial(aux_loss_with, branch, head, memory, tf_n,
                   tf_data['data_samples'])
           for name, branch in others.items()},
        ('TFPose quickstart', 'optimizer'): optimizer_part(tf, tf_wrapper),
        ('TFPose quickstart', 'train step'):
        lambda: tf.train_step(tf_batch, tf_wrapper),
    }
    for model in (sb, tf):
        model.zero_grad(set_to_none=True)
    with LoadSampler() as load:
        times = dict(zip(parts, alternating_times(list(parts.values()),
                                                  args.repeats)))
    sb_step = times[('SimpleBaseline-R18', 'train step')]
    tf_step = times[('TFPose quickstart', 'train step')]
    aux = times[('TFPose quickstart', 'auxiliary branch + loss')]
    lines = [f'torch {torch.__version__}, {torch.get_num_threads()} '
             f'thread(s), batch 8 at 128x96, {args.repeats} rounds',
             '| model | part (forward + backward) | ms (median) | 95 % '
             'interval | TFPose step / SB-R18 step without this part '
             '(median of the rounds) |',
             '| --- | --- | ---: | :---: | ---: |']
    rows = []
    for (model, part), ts in times.items():
        low, high = median_interval(ts)
        row = dict(model=model, part=part, ms=statistics.median(ts) * 1e3,
                   ms_low=low * 1e3, ms_high=high * 1e3)
        without = '—'
        if part.startswith('auxiliary branch + loss, '):
            # the step with this branch instead of the quickstart's
            ratios = [(t - a + p) / s for t, a, p, s in
                      zip(tf_step, aux, ts, sb_step)]
            row['step_ratio_with'] = statistics.median(ratios)
            without = f"{row['step_ratio_with']:.3f} (with it instead)"
        elif model == 'TFPose quickstart':
            ratios = [(t - p) / s if part != 'train step' else t / s
                      for t, p, s in zip(tf_step, ts, sb_step)]
            row['step_ratio_without'] = statistics.median(ratios)
            without = f"{row['step_ratio_without']:.3f}"
            if part == 'train step':
                without += ' (the step ratio itself)'
        rows.append(row)
        lines.append(f"| {model} | {part} | {row['ms']:.1f} | "
                     f'{low * 1e3:.1f}-{high * 1e3:.1f} | {without} |')
    print('\n' + '\n'.join(lines))
    sizes = {
        name: dict(parameters=sum(p.numel() for p in model.parameters()),
                   tensors=len(list(model.parameters())))
        for name, model in (('SimpleBaseline-R18', sb),
                            ('TFPose quickstart', tf))
    }
    lines += ['', 'parameters (tensors): ' + ', '.join(
        f"{name} {size['parameters'] / 1e6:.2f} M ({size['tensors']})"
        for name, size in sizes.items())]
    print(lines[-1])
    finish_benchmark('tfpose_step_parts', args.record, load, rows, lines,
                     threads=torch.get_num_threads(), repeats=args.repeats,
                     parameters=sizes)


if __name__ == '__main__':
    sys.exit(main())
