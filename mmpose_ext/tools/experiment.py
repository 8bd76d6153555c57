"""Run and render the project's experiments: every measured number comes from
a record this tool wrote.

    python -m mmpose_ext.tools.experiment list
    python -m mmpose_ext.tools.experiment run NAME [--jobs 2] [--threads 1]
    python -m mmpose_ext.tools.experiment render NAME [--plot]
    python -m mmpose_ext.tools.experiment render --docs [--write]

An experiment is a folder ``configs/experiments/NAME/``: one MMEngine config
per arm (each inheriting with ``_base_`` what it varies, so that a later
change of a default cannot move a measured arm) and ``experiment.yml``::

    description: one line
    data: synthetic              # the data the arms read (see DATA), or a
                                 # list: [synthetic, synthetic_aic]
    arms:                        # arm name: its config file (this folder)
      kernel: tfpose_..._kernel.py
    seeds: [0, 1, 2]
    metrics: [coco/AP, coco/AP .5, coco/AR]
    baseline: mmcv-sampling      # optional: arm the others are paired with
    claim:                       # optional: what the paired test decides
      metric: coco/AP
      type: equivalence          # or superiority
      tolerance: 0.01            # equivalence: |difference| within this
      direction: higher          # superiority: which way is better
      min_baseline: 0.04         # optional, for a score where higher is
                                 # better (AP): below this baseline mean
                                 # the runs are at the start line and
                                 # decide nothing (inconclusive, whatever
                                 # the CI)
    claims:                      # optional: a claim per arm instead
      kernel: {metric: coco/AP, type: equivalence, tolerance: 0.01}
    kind: train                  # or frozen_decoder (see below)

An arm that needs another run's output is a mapping instead of a file
name::

    arms:
      mae:                                  # pre-training: no evaluation,
        config: mae_pretrain.py             # its record holds the losses
        metrics: []
      finetune:
        config: finetune.py
        inputs:                             # config key: reference
          model.backbone.init_cfg.checkpoint: mae
      stage1:
        config: token_teacher.py
        inputs: {model.teacher_checkpoint: finetune}
        export: [export_knowledge_tokens, knowledge_tokens.pth]
      student:
        config: token_student.py
        inputs:
          model.backbone.knowledge_tokens.token_file: stage1:knowledge_tokens.pth
      readout:
        config: readout.py
        test: cpu_kernel/kernel             # no training: test that run

A reference names a run of the same seed: ``ARM`` (this experiment) or
``EXPERIMENT/ARM`` (recorded before), its final checkpoint, or with
``:FILE`` a file in its work dir. ``export: [TOOL, FILE]`` runs
``python -m mmpose_ext.tools.TOOL FINAL_CHECKPOINT WORK_DIR/FILE`` after the
training. ``test: REFERENCE`` evaluates that checkpoint with the arm's
config (``mmpose_ext.tools.test``) instead of training. A run waits for the
runs it references and is skipped when one of them failed, is stale or
left no file on this machine; what each reference names (the referenced
run's config and identity, not where it lies) is part of the run's hash,
and its record says what was used (the run, its record's hash, the file's
sha256). A work dir is marked with its run's hash (``run_digest``); one left
by a run of another hash is moved aside instead of resumed.

``kind: frozen_decoder`` trains only TFPose decoders on the cached memory of
a frozen trained model (``mmpose_ext.tools.frozen_decoder``); its spec names
that model's run, ``checkpoint_from: EXPERIMENT/ARM/seedK`` (the final
checkpoint of that run's work dir), and its records hold the tool's
evaluations (``result.json``).

``run`` trains every (arm, seed) that has no record yet with the package's
train tool (``--jobs`` at a time, ``--threads`` torch/OpenMP threads and
``--data-workers`` loader workers each), resumes one that was interrupted
from its last checkpoint, and writes ``results/NAME/ARM/seedK.json``: the
config and the hash of its resolved text, the commit, the package versions,
the machine and its load average over the run, the seed, the iterations,
the wall time, the metrics at each evaluation, the last logged training
losses, and where the log is. A record whose config hash no longer matches
its config is reported as stale and not reused (``--rerun-stale`` runs it
again). An arm whose config file, resolved config and seed another
experiment has already run (with the same threads, jobs and data workers)
is not trained again: its record is copied, naming where from.

``render`` prints the experiment's tables in Markdown from its records
(one row per run; the arms' means; the paired differences from the baseline
with a bootstrap 95 % interval and the verdict); ``--plot`` draws each
metric against iterations and wall time, one line per arm and seed, into
``results/NAME/``. Tables in README.md and docs/ sit between markers::

    <!-- experiment: NAME runs -->      (runs | arms | paired | benchmark)
    ...
    <!-- /experiment -->

``render --docs`` checks every marked table against its records (exit 1 on
a difference); ``--write`` rewrites them. Speed benchmarks write records of
their own (``benchmarks/*.py --record results/benchmarks/NAME.json``); their
marker is ``<!-- experiment: benchmarks/NAME benchmark -->``.
"""
import argparse
import glob
import hashlib
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

import numpy as np

from mmpose_ext.tools.quickstart import MAE_DATA

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
EXPERIMENTS = osp.join(REPO, 'configs', 'experiments')
RESULTS = osp.join(REPO, 'results')
DOCS = ('README.md', 'docs/*.md')
# the environment variable each data name's configs read their root from
DATA = {'synthetic': 'MMPOSE_EXT_SYNTHETIC',
        'synthetic_aic': 'MMPOSE_EXT_SYNTHETIC_AIC',
        'synthetic_mae': MAE_DATA['variable']}
# where each data set is by default (relative to the repository) and how it
# is made
DATA_DEFAULT = {
    'synthetic': ('data/synthetic',
                  'python -m mmpose_ext.synthetic --out data/synthetic'),
    'synthetic_aic': ('data/synthetic_aic',
                      'python -m mmpose_ext.synthetic --out '
                      'data/synthetic_aic --seed 1 --extra-formats aic'),
    'synthetic_mae': (MAE_DATA['root'],
                      f'python -m mmpose_ext.synthetic --out '
                      f'{MAE_DATA["root"]} {" ".join(MAE_DATA["args"])}'),
}
MARKER = re.compile(
    r'(<!-- experiment: (?P<name>[\w./-]+) (?P<table>runs|arms|paired|'
    r'benchmark) -->\n)(?P<body>.*?)(<!-- /experiment -->)', re.DOTALL)
BOOTSTRAP_SAMPLES = 10000


# ---------------------------------------------------------------- specs

def load_spec(name: str) -> Dict:
    """The experiment's ``experiment.yml``, checked: every arm's config
    exists, seeds and metrics are given, the baseline is an arm."""
    import yaml
    folder = osp.join(EXPERIMENTS, name)
    path = osp.join(folder, 'experiment.yml')
    if not osp.isfile(path):
        known = ', '.join(list_experiments()) or 'none'
        raise SystemExit(f'experiment {name!r}: no {osp.relpath(path, REPO)}'
                         f' (experiments: {known})')
    with open(path) as f:
        spec = yaml.safe_load(f)
    for key in ('arms', 'seeds', 'metrics'):
        if not spec.get(key):
            raise SystemExit(f'{osp.relpath(path, REPO)}: `{key}` is '
                             'missing or empty')
    rel = osp.relpath(path, REPO)
    spec['name'] = name
    spec['arm_specs'] = {
        arm: _arm_spec(rel, arm, value, spec['metrics'])
        for arm, value in spec['arms'].items()}
    # the plain form everywhere else: arm -> config file
    spec['arms'] = {arm: a['config'] for arm, a in spec['arm_specs'].items()}
    for arm, config in spec['arms'].items():
        if not osp.isfile(osp.join(folder, config)):
            raise SystemExit(f'{osp.relpath(path, REPO)}: arm {arm!r} names '
                             f'{config}, which is not in {folder}')
    _check_references(rel, spec)
    if spec.get('baseline') and spec['baseline'] not in spec['arms']:
        raise SystemExit(f'{osp.relpath(path, REPO)}: baseline '
                         f'{spec["baseline"]!r} is not one of the arms')
    if spec.get('kind', 'train') not in ('train', 'frozen_decoder'):
        raise SystemExit(f'{osp.relpath(path, REPO)}: kind must be train '
                         'or frozen_decoder')
    for arm in spec.get('claims') or {}:
        if arm not in spec['arms']:
            raise SystemExit(f'{osp.relpath(path, REPO)}: claims names '
                             f'{arm!r}, which is not an arm')
    base = spec.get('baseline')
    if base and not spec['arm_specs'][base]['metrics']:
        raise SystemExit(f'{osp.relpath(path, REPO)}: the baseline {base!r} '
                         'has no metrics (a pre-training arm cannot be '
                         'compared)')
    claims = [('claim', spec['claim'])] if spec.get('claim') else []
    claims += [(f'the claim on {arm!r}', c)
               for arm, c in (spec.get('claims') or {}).items()]
    for what, claim in claims:
        if not isinstance(claim, dict):
            raise SystemExit(f'{osp.relpath(path, REPO)}: {what} must be a '
                             f'mapping (keys {sorted(CLAIM_KEYS)}), got '
                             f'{claim!r}')
        floor = claim.get('min_baseline')
        if floor is not None and (isinstance(floor, bool) or
                                  not isinstance(floor, (int, float))):
            raise SystemExit(f'{osp.relpath(path, REPO)}: {what}: '
                             f'min_baseline must be a number, got {floor!r}')
        unknown = set(claim) - CLAIM_KEYS
        if unknown:
            raise SystemExit(
                f'{osp.relpath(path, REPO)}: {what} has unknown keys '
                f'{sorted(unknown)} (a claim takes {sorted(CLAIM_KEYS)})')
    for arm in spec['arms']:
        claim = (spec.get('claims') or {}).get(arm, spec.get('claim'))
        if not claim or arm == base:
            continue
        for name in (arm, base):
            if name and claim['metric'] not in spec['arm_specs'][name][
                    'metrics']:
                raise SystemExit(
                    f'{osp.relpath(path, REPO)}: the claim on {arm!r} is '
                    f'about {claim["metric"]!r}, which arm {name!r} does '
                    'not report (its metrics)')
    data = spec.get('data', 'synthetic')
    spec['data'] = [data] if isinstance(data, str) else list(data)
    if not spec['data'] or any(d not in DATA for d in spec['data']):
        raise SystemExit(f'{osp.relpath(path, REPO)}: data must be one of '
                         f'{sorted(DATA)} or a list of them')
    return spec


ARM_KEYS = ('config', 'inputs', 'export', 'test', 'metrics')


def _arm_spec(rel: str, arm: str, value, metrics: List[str]) -> Dict:
    """One arm in its full form: config, inputs (config key -> reference),
    export ([tool, file] or None), test (reference or None), metrics."""
    if isinstance(value, str):
        value = {'config': value}
    if not isinstance(value, dict) or not isinstance(value.get('config'),
                                                     str):
        raise SystemExit(f'{rel}: arm {arm!r} must be a config file name or '
                         'a mapping with a `config` file name')
    unknown = sorted(set(value) - set(ARM_KEYS))
    if unknown:
        raise SystemExit(f'{rel}: arm {arm!r} has unknown keys {unknown} '
                         f'(known: {", ".join(ARM_KEYS)})')
    export = value.get('export')
    if export is not None:
        if not (isinstance(export, list) and len(export) == 2
                and all(isinstance(x, str) for x in export)):
            raise SystemExit(f'{rel}: arm {arm!r}: export must be '
                             '[TOOL, FILE], e.g. [export_knowledge_tokens, '
                             'knowledge_tokens.pth]')
        tool = osp.join(osp.dirname(osp.abspath(__file__)),
                        f'{export[0]}.py')
        if not osp.isfile(tool):
            raise SystemExit(f'{rel}: arm {arm!r}: export tool '
                             f'{export[0]!r} is not a module of '
                             'mmpose_ext.tools')
    inputs = value.get('inputs') or {}
    if not isinstance(inputs, dict) or not all(
            isinstance(v, str) for v in inputs.values()):
        raise SystemExit(f'{rel}: arm {arm!r}: inputs must map config keys '
                         'to references (ARM, EXPERIMENT/ARM, with :FILE)')
    arm_metrics = list(value.get('metrics', metrics))
    if value.get('test') is not None and not arm_metrics:
        raise SystemExit(f'{rel}: arm {arm!r} only tests a checkpoint, so it '
                         'needs metrics')
    if value.get('test') is not None and export is not None:
        raise SystemExit(f'{rel}: arm {arm!r}: a test arm trains nothing to '
                         'export')
    return dict(config=value['config'], inputs=dict(inputs),
                export=export, test=value.get('test'), metrics=arm_metrics)


# what a claim in experiment.yml may say (the module docstring explains each)
CLAIM_KEYS = {'metric', 'type', 'tolerance', 'direction', 'min_baseline'}


def parse_ref(ref: str, experiment: str) -> Tuple[str, str, Optional[str]]:
    """``ARM``, ``EXPERIMENT/ARM``, either with ``:FILE`` ->
    (experiment, arm, file or None)."""
    target, _, file = ref.partition(':')
    parts = target.split('/')
    if len(parts) == 1 and parts[0]:
        return experiment, parts[0], file or None
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1], file or None
    raise SystemExit(f'{experiment}: reference {ref!r} must be ARM or '
                     'EXPERIMENT/ARM, optionally with :FILE')


def arm_refs(spec: Dict, arm: str) -> List[str]:
    a = spec['arm_specs'][arm]
    return list(a['inputs'].values()) + ([a['test']] if a['test'] else [])


def _check_references(rel: str, spec: Dict) -> None:
    """In-experiment references name arms, and no arm depends on itself
    through them."""
    deps = {}
    for arm in spec['arms']:
        deps[arm] = []
        for ref in arm_refs(spec, arm):
            exp, target, _ = parse_ref(ref, spec['name'])
            if exp != spec['name']:
                continue
            if target not in spec['arms']:
                raise SystemExit(f'{rel}: arm {arm!r} references {ref!r}, '
                                 'which is not an arm here (another '
                                 'experiment\'s arm: EXPERIMENT/ARM)')
            deps[arm].append(target)

    def visit(arm, path):
        if arm in path:
            raise SystemExit(f'{rel}: the arms depend on each other in a '
                             f'circle: {" -> ".join(path + [arm])}')
        for dep in deps[arm]:
            visit(dep, path + [arm])

    for arm in deps:
        visit(arm, [])
    spec['deps'] = deps


def list_experiments() -> List[str]:
    return sorted(
        osp.basename(osp.dirname(p))
        for p in glob.glob(osp.join(EXPERIMENTS, '*', 'experiment.yml')))


def arm_config(spec: Dict, arm: str) -> str:
    """The arm's config, relative to the repository (absolute if it lies
    outside)."""
    path = osp.normpath(
        osp.join(EXPERIMENTS, spec['name'], spec['arms'][arm]))
    rel = osp.relpath(path, REPO)
    return path if rel.startswith('..') else rel


def config_hash(config: str, seed: int) -> str:
    """sha256 of the resolved config text with the run's seed (environment
    substitutions left at their defaults, so the data's location on a
    machine does not change it)."""
    from mmengine.config import Config
    env = {k: os.environ.pop(k) for k in DATA.values() if k in os.environ}
    try:
        cfg = Config.fromfile(osp.join(REPO, config))
    finally:
        os.environ.update(env)
    cfg.merge_from_dict({'randomness.seed': seed})
    return hashlib.sha256(cfg.pretty_text.encode()).hexdigest()


def arm_digest(spec: Dict, arm: str, seed: int) -> str:
    """The run's identity: the hash of its resolved config and seed, and for
    an arm with references, of what each reference names (the referenced
    run's config file and identity, not where its files lie), so that two
    experiments naming the same run share it and a changed input makes the
    record stale."""
    a = spec['arm_specs'][arm]
    digest = config_hash(arm_config(spec, arm), seed)
    if not (a['inputs'] or a['test'] or a['export']):
        return digest

    def identity(ref):
        exp, target, file = parse_ref(ref, spec['name'])
        source = spec if exp == spec['name'] else load_spec(exp)
        if target not in source['arms']:
            raise SystemExit(f'{spec["name"]}: {ref!r} names no arm of '
                             f'experiment {exp!r}')
        return [arm_config(source, target), arm_digest(source, target, seed),
                file]

    parts = dict(config=digest, export=a['export'],
                 inputs={k: identity(v) for k, v in a['inputs'].items()},
                 test=identity(a['test']) if a['test'] else None)
    return hashlib.sha256(
        json.dumps(parts, sort_keys=True).encode()).hexdigest()


def origin_run(experiment: str, arm: str,
               seed: int) -> Optional[Tuple[str, str]]:
    """(experiment, arm) of the run that made this record (a copied record
    names its source), or None when there is no record."""
    path = osp.join(RESULTS, experiment, arm, f'seed{seed}.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        source = json.load(f).get('copied_from')
    if source:
        parts = osp.normpath(source).split(os.sep)
        return parts[-3], parts[-2]
    return experiment, arm


def final_checkpoint(wd: str) -> Optional[str]:
    pointer = osp.join(wd, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        path = f.read().strip()
    return path if osp.isfile(path) else None


class InputUnavailable(Exception):
    """A run that this run references cannot be used here: it has no record,
    its record is stale, or its files are not on this machine."""


def resolve_input(spec: Dict, ref: str, seed: int, work_root: str) -> Dict:
    """What a reference names for this seed, checked: ``path`` (the
    referenced run's final checkpoint, or FILE in its work dir), ``run``
    (EXPERIMENT/ARM/seedK of the run that made it, after ``copied_from``),
    the ``config_sha256`` of its record and the ``sha256`` of the file.
    Raises :class:`InputUnavailable` saying what to do."""
    exp, arm, file = parse_ref(ref, spec['name'])
    path = osp.join(RESULTS, exp, arm, f'seed{seed}.json')
    if not osp.isfile(path):
        raise InputUnavailable(
            f'{ref!r} (seed {seed}) has no record: run it first '
            f'(python -m mmpose_ext.tools.experiment run {exp})')
    with open(path) as f:
        rec = json.load(f)
    source = spec if exp == spec['name'] else load_spec(exp)
    if rec.get('config_sha256') != arm_digest(source, arm, seed):
        raise InputUnavailable(
            f'{ref!r} (seed {seed}) is stale: its config or its own inputs '
            'changed since it was recorded; run it again first (python -m '
            f'mmpose_ext.tools.experiment run {exp} --rerun-stale)')
    origin = origin_run(exp, arm, seed)
    wd = osp.join(work_root, origin[0], origin[1], f'seed{seed}')
    target = osp.join(wd, file) if file else final_checkpoint(wd)
    if target is None or not osp.isfile(target):
        raise InputUnavailable(
            f'{ref!r} (seed {seed}) is recorded, but '
            f'{file or "its final checkpoint"} is not in {wd} (records '
            'travel with the repository, checkpoints do not): point '
            '--work-root at the work directories where that run was made. '
            'Training it again here would not reproduce the recorded run '
            'exactly, so the runner does not do it by itself')
    digest = hashlib.sha256()
    with open(target, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return dict(path=target, run=f'{origin[0]}/{origin[1]}/seed{seed}',
                config_sha256=rec['config_sha256'],
                sha256=digest.hexdigest())


def record_path(spec: Dict, arm: str, seed: int) -> str:
    return osp.join(RESULTS, spec['name'], arm, f'seed{seed}.json')


def work_dir(spec: Dict, arm: str, seed: int, root: str) -> str:
    return osp.join(root, spec['name'], arm, f'seed{seed}')


def load_records(spec: Dict) -> Dict[Tuple[str, int], Dict]:
    records = {}
    for arm in spec['arms']:
        for seed in spec['seeds']:
            path = record_path(spec, arm, seed)
            if osp.isfile(path):
                with open(path) as f:
                    records[arm, seed] = json.load(f)
    return records


# ---------------------------------------------------------------- logs

def evaluation_iter(logged: int, val_interval: Optional[int] = None,
                    max_iters: Optional[int] = None) -> int:
    """The iteration of an evaluation whose last preceding training line was
    logged at iteration ``logged``: MMEngine's iteration-based loop
    evaluates at every multiple of ``val_interval`` and at ``max_iters``,
    i.e. at the first such point at or after that line (the logger's
    interval need not divide the val interval: with logging every 100 an
    evaluation at 250 follows the line of 200). Without a schedule, the
    logged iteration."""
    if not val_interval:
        return logged
    point = -(-logged // val_interval) * val_interval
    return min(point, max_iters) if max_iters else point


def read_scalars(wd: str, val_interval: Optional[int] = None,
                 max_iters: Optional[int] = None
                 ) -> Tuple[List[Dict], List[Dict]]:
    """(training lines, evaluation lines) of every ``vis_data/scalars.json``
    under the work dir (a resumed run has one per start), in iteration
    order; a later start's line replaces an earlier one at the same
    iteration. MMEngine logs an evaluation with the epoch as its step by
    default, so an evaluation gets its iteration (``iter``) from the
    training line logged just before it and the schedule
    (:func:`evaluation_iter`)."""
    train, val = {}, {}
    for path in sorted(glob.glob(osp.join(wd, '*', 'vis_data',
                                          'scalars.json'))):
        last_iter = 0
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                entry = json.loads(line)
                if 'loss' in entry:
                    last_iter = entry.get('iter', entry.get('step'))
                    train[last_iter] = entry
                else:
                    at = evaluation_iter(last_iter, val_interval, max_iters)
                    val[at] = dict(entry, iter=at)
    return ([train[k] for k in sorted(train)], [val[k] for k in sorted(val)])


def summarize_run(spec: Dict, wd: str,
                  metrics: Optional[List[str]] = None,
                  schedule: Optional[Tuple[int, int]] = None) -> Dict:
    """The record fields of a training run, from its MMEngine scalars; with
    ``metrics=[]`` (pre-training) no evaluation is expected. ``schedule``:
    the run's (val_interval, max_iters), which place its evaluations."""
    metrics = spec['metrics'] if metrics is None else metrics
    train, val = read_scalars(wd, *(schedule or ()))
    if not val and metrics:
        raise RuntimeError(f'{wd}: the run logged no evaluation (does the '
                           'config have a val_interval that it reaches?)')
    if not metrics:
        val = []
    evaluations = []
    for entry in val:
        point = {'iter': entry['iter']}
        for metric in metrics:
            if metric not in entry:
                raise RuntimeError(
                    f'{wd}: the evaluation at iteration {entry["iter"]} has no '
                    f'{metric!r} (it logged {sorted(entry)})')
            point[metric] = entry[metric]
        evaluations.append(point)
    last = train[-1] if train else {}
    if not evaluations and not train:
        raise RuntimeError(f'{wd}: the run logged nothing')
    # training time from the logged iteration times: time is the mean
    # seconds per iteration over each logging interval
    train_s, prev = 0.0, 0
    for entry in train:
        step = entry.get('iter', entry.get('step'))
        train_s += entry.get('time', 0.0) * (step - prev)
        prev = step
    logs = sorted(glob.glob(osp.join(wd, '*', '*.log')))
    return dict(
        iterations=last.get('iter', evaluations[-1]['iter']
                            if evaluations else 0),
        evaluations=evaluations,
        final=({k: v for k, v in evaluations[-1].items() if k != 'iter'}
               if evaluations else {}),
        final_losses={k: v for k, v in last.items() if k.startswith('loss')},
        # the logged losses (every logger interval), for the curves of
        # runs that are not evaluated, such as a pre-training
        loss_curve=[dict(iter=e.get('iter', e.get('step')),
                         **{k: v for k, v in e.items()
                            if k.startswith('loss')}) for e in train],
        train_s_from_log=round(train_s, 1),
        logs=[osp.relpath(p, REPO) for p in logs])


def run_schedule(config: str) -> Optional[Tuple[int, int]]:
    """(val_interval, max_iters) of an iteration-based config (relative to
    the repository), or None for another loop."""
    from mmengine.config import Config
    train_cfg = Config.fromfile(osp.join(REPO, config)).get('train_cfg', {})
    if train_cfg.get('type', 'IterBasedTrainLoop') != 'IterBasedTrainLoop' \
            or 'max_iters' not in train_cfg:
        return None
    return (train_cfg.get('val_interval', 1000), train_cfg['max_iters'])


def summarize_test(metrics: List[str], wd: str, iterations) -> Dict:
    """The record fields of a test-only run, from the metrics file the test
    tool wrote (``--out``)."""
    path = osp.join(wd, 'metrics.json')
    if not osp.isfile(path):
        raise RuntimeError(f'{wd}: the test wrote no metrics.json')
    with open(path) as f:
        result = json.load(f)
    missing = [m for m in metrics if m not in result]
    if missing:
        raise RuntimeError(f'{path} has no {missing} (it has '
                           f'{sorted(result)})')
    final = {m: result[m] for m in metrics}
    return dict(iterations=iterations,
                evaluations=[dict(iter=iterations, **final)], final=final,
                final_losses={}, train_s_from_log=0.0,
                logs=[osp.relpath(p, REPO) for p in
                      sorted(glob.glob(osp.join(wd, '*', '*.log')))])


def summarize_result(spec: Dict, wd: str) -> Dict:
    """The record fields of a frozen-decoder run, from its result.json."""
    with open(osp.join(wd, 'result.json')) as f:
        result = json.load(f)
    for metric in spec['metrics']:
        if metric not in result['final']:
            raise RuntimeError(f'{wd}/result.json has no {metric!r} (it has '
                               f'{sorted(result["final"])})')
    return dict(iterations=result['iterations'],
                evaluations=result['evaluations'], final=result['final'],
                final_losses=result.get('final_losses', {}),
                train_s_from_log=result.get('train_s'),
                logs=[osp.relpath(osp.join(wd, 'experiment.out'), REPO)])


# ---------------------------------------------------------------- run

def frozen_checkpoint(spec: Dict, args) -> str:
    """The final checkpoint of the run named by ``checkpoint_from``."""
    source = spec.get('checkpoint_from')
    if not source or source.count('/') != 2:
        raise SystemExit(f'{spec["name"]}: kind frozen_decoder needs '
                         '`checkpoint_from: EXPERIMENT/ARM/seedK`')
    wd = osp.join(args.work_root, source)
    checkpoint = final_checkpoint(wd)
    if checkpoint is None:
        raise SystemExit(
            f'{spec["name"]}: no finished run in {wd} to take the frozen '
            f'model from; run it first: python -m mmpose_ext.tools.'
            f'experiment run {source.split("/")[0]}')
    return checkpoint


def resolve_inputs(spec: Dict, arm: str, seed: int,
                   work_root: str) -> Dict[str, Dict]:
    """Every reference of the arm resolved and checked for this seed
    (:func:`resolve_input`): config key -> what it names, and under
    ``'test'`` the run a test arm evaluates."""
    a = spec['arm_specs'][arm]
    used = {key: resolve_input(spec, ref, seed, work_root)
            for key, ref in a['inputs'].items()}
    if a['test']:
        used['test'] = resolve_input(spec, a['test'], seed, work_root)
    return used


def _command(spec, arm, seed, wd, args, used=None):
    """The run's command, with the references' files (``used``, from
    :func:`resolve_inputs`) as config options."""
    if spec.get('kind', 'train') == 'frozen_decoder':
        return [sys.executable, '-m', 'mmpose_ext.tools.frozen_decoder',
                arm_config(spec, arm), '--checkpoint',
                frozen_checkpoint(spec, args), '--seed', str(seed),
                '--work-dir', wd, '--cache-dir',
                osp.join(args.work_root, 'frozen_memory')]
    a = spec['arm_specs'][arm]
    used = used or {}
    inputs = [f'{key}={used[key]["path"]}' for key in a['inputs']]
    if a['test']:
        return [sys.executable, '-m', 'mmpose_ext.tools.test',
                arm_config(spec, arm), used['test']['path'], '--work-dir', wd,
                '--out', osp.join(wd, 'metrics.json'), '--cfg-options',
                f'randomness.seed={seed}',
                f'test_dataloader.num_workers={args.data_workers}',
                'test_dataloader.persistent_workers=False', *inputs]
    from mmengine.config import Config
    config = arm_config(spec, arm)
    # a pre-training has no val loop: an option naming its val_dataloader
    # would create one, which MMEngine refuses without a val_cfg
    loaders = ['train_dataloader'] + (
        ['val_dataloader'] if Config.fromfile(
            osp.join(REPO, config)).get('val_dataloader') is not None
        else [])
    cmd = [sys.executable, '-m', 'mmpose_ext.tools.train',
           config, '--work-dir', wd, '--cfg-options',
           f'randomness.seed={seed}',
           *[f'{loader}.num_workers={args.data_workers}'
             for loader in loaders],
           *[f'{loader}.persistent_workers={args.data_workers > 0}'
             for loader in loaders],
           *inputs]
    if osp.isfile(osp.join(wd, 'last_checkpoint')):
        cmd.append('--resume')
    return cmd


def _claim_work_dir(wd: str, digest: str, stale: bool = False) -> None:
    """Make ``wd`` this run's: a work dir left by a run of another identity
    (a stale run trained again, or an input that changed) is moved aside,
    so that the new run neither resumes its checkpoint nor reads its logs.
    A work dir without a digest (made before the runner wrote one) is
    taken as this run's, unless the run is a ``stale`` one trained again."""
    marker = osp.join(wd, 'run_digest')
    other = stale and osp.isdir(wd)
    if osp.isfile(marker):
        with open(marker) as f:
            other = f.read().strip() != digest
    if other:
        aside = f'{wd}.replaced-{time.strftime("%Y%m%d_%H%M%S")}'
        os.rename(wd, aside)
        print(f'{wd}: left by a run of another config or input; moved to '
              f'{aside}', flush=True)
    os.makedirs(wd, exist_ok=True)
    with open(marker, 'w') as f:
        f.write(digest + '\n')


def _export(spec, arm, wd, out, env) -> int:
    """The arm's export step after its training (exit status)."""
    tool, file = spec['arm_specs'][arm]['export']
    checkpoint = final_checkpoint(wd)
    if checkpoint is None:
        out.write(f'export: no final checkpoint in {wd}\n')
        return 1
    return subprocess.call(
        [sys.executable, '-m', f'mmpose_ext.tools.{tool}', checkpoint,
         osp.join(wd, file)], cwd=REPO, env=env, stdout=out,
        stderr=subprocess.STDOUT)


def find_same_run(config: str, digest: str, seed: int, args,
                  frozen_from: Optional[str] = None,
                  kind: str = 'training') -> Optional[str]:
    """A record of another experiment for the same config file, resolved
    config and seed, trained with the same threads, jobs and data workers
    (an arm shared by two experiments is trained once)."""
    for path in sorted(glob.glob(osp.join(RESULTS, '*', '*',
                                          f'seed{seed}.json'))):
        with open(path) as f:
            rec = json.load(f)
        if (rec.get('kind') == kind and rec.get('config') == config
                and rec.get('config_sha256') == digest
                and rec.get('copied_from') is None
                and rec.get('frozen_from') == frozen_from
                and (rec.get('threads'), rec.get('jobs'),
                     rec.get('data_workers')) == (args.threads, args.jobs,
                                                  args.data_workers)):
            return path
    return None


def copy_record(spec: Dict, arm: str, seed: int, source: str) -> None:
    with open(source) as f:
        rec = json.load(f)
    rec.update(experiment=spec['name'], arm=arm,
               copied_from=osp.relpath(source, REPO))
    path = record_path(spec, arm, seed)
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(rec, f, indent=1, sort_keys=True)
        f.write('\n')
    print(f'{arm} seed {seed}: the same run is recorded in '
          f'{osp.relpath(source, REPO)}; copied')


def selected_runs(spec: Dict, arms: Optional[List[str]] = None,
                  seeds: Optional[List[int]] = None
                  ) -> Tuple[List[str], List[int]]:
    """The arms (in the experiment's order) and seeds that ``run`` trains
    when restricted to ``arms`` and ``seeds`` (None: all): a chosen arm
    brings the arms of this experiment it takes inputs from, so that it
    never waits for a run that was not chosen. Unknown names raise a
    ValueError that lists the experiment's."""
    name = spec['name']
    for kind, chosen, known in (('arm', arms, spec['arms']),
                                ('seed', seeds, spec['seeds'])):
        unknown = [c for c in chosen or [] if c not in known]
        if unknown:
            raise ValueError(
                f'{name}: no {kind} {", ".join(map(str, unknown))}; its '
                f'{kind}s are {", ".join(map(str, known))}')
    wanted = set(arms or spec['arms'])
    stack = list(wanted)
    while stack:
        for dep in spec.get('deps', {}).get(stack.pop(), []):
            if dep not in wanted:
                wanted.add(dep)
                stack.append(dep)
    return ([a for a in spec['arms'] if a in wanted],
            [s for s in spec['seeds'] if seeds is None or s in seeds])


def run(spec: Dict, args) -> int:
    from mmpose_ext.utils.run_record import LoadSampler, git_commit
    todo, unusable = [], set()  # unusable: stale, failed or skipped runs
    rerun = set()  # stale runs trained again
    digests = {}
    try:
        arms, seeds = selected_runs(spec, getattr(args, 'arms', None),
                                    getattr(args, 'seeds', None))
    except ValueError as err:
        print(err)
        return 1
    for seed in seeds:  # seed-major: pairs finish together
        for arm in arms:
            path = record_path(spec, arm, seed)
            digest = digests[arm, seed] = arm_digest(spec, arm, seed)
            kind = 'test' if spec['arm_specs'][arm]['test'] else 'training'
            if osp.isfile(path):
                with open(path) as f:
                    old = json.load(f)
                if old.get('config_sha256') == digest:
                    print(f'{arm} seed {seed}: recorded ({osp.relpath(path, REPO)})')
                    continue
                if not args.rerun_stale:
                    print(f'{arm} seed {seed}: STALE record (its config '
                          'or an input changed since); --rerun-stale runs it '
                          'again')
                    unusable.add((arm, seed))
                    continue
                rerun.add((arm, seed))
            shared = find_same_run(arm_config(spec, arm), digest, seed,
                                   args, spec.get('checkpoint_from'), kind)
            if shared is not None:
                copy_record(spec, arm, seed, shared)
                continue
            todo.append((arm, seed, digest))
    if not todo:
        print(f'{spec["name"]}: every run is recorded')
        return 0
    env = dict(os.environ)
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        env[var] = str(args.threads)
    roots = {}  # the first data set's root may be moved by --data-root
    for i, data in enumerate(spec['data']):
        root = (args.data_root if i == 0 and args.data_root else
                env.get(DATA[data], osp.join(REPO, DATA_DEFAULT[data][0])))
        roots[data] = env[DATA[data]] = osp.abspath(root)
        if not osp.isdir(osp.join(roots[data], 'annotations')):
            print(f'{spec["name"]}: no {data} data in {roots[data]}; make '
                  f'it with `{DATA_DEFAULT[data][1]}` (or point '
                  f'{DATA[data]} at it)')
            return 1
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')

    def state(arm, seed):
        """ready / wait / blocked, from the runs of this experiment it
        references."""
        for dep in spec.get('deps', {}).get(arm, []):
            if (dep, seed) in unusable:
                return 'blocked'
            path = record_path(spec, dep, seed)
            if not osp.isfile(path):
                return 'wait'
            with open(path) as f:
                # an old record of an input being trained again is not it
                if json.load(f).get('config_sha256') != digests[dep, seed]:
                    return 'wait'
        return 'ready'

    failed = 0
    running = []
    while todo or running:
        for item in list(todo):
            if len(running) >= args.jobs:
                break
            arm, seed, digest = item
            now = state(arm, seed)
            if now == 'wait' and not running and all(
                    state(a, s) != 'ready' for a, s, _ in todo):
                now = 'blocked'  # nothing left that could unblock it
            if now == 'wait':
                continue
            todo.remove(item)
            if now == 'blocked':
                print(f'{arm} seed {seed}: SKIPPED (a run it references '
                      'failed or is stale)', flush=True)
                unusable.add((arm, seed))
                failed += 1
                continue
            wd = work_dir(spec, arm, seed, args.work_root)
            try:
                used = resolve_inputs(spec, arm, seed, args.work_root)
            except InputUnavailable as err:
                print(f'{arm} seed {seed}: SKIPPED: {err}', flush=True)
                unusable.add((arm, seed))
                failed += 1
                continue
            _claim_work_dir(wd, digest, (arm, seed) in rerun)
            cmd = _command(spec, arm, seed, wd, args, used)
            resumed = '--resume' in cmd
            print(f'{arm} seed {seed}: {"resuming" if resumed else "start"}'
                  f' -> {osp.join(wd, "experiment.out")}', flush=True)
            out = open(osp.join(wd, 'experiment.out'), 'a')
            sampler = LoadSampler(interval=30).__enter__()
            proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out,
                                    stderr=subprocess.STDOUT)
            # the commit the run starts from (not the one checked out when
            # it ends)
            running.append((arm, seed, digest, proc, out, time.time(),
                            sampler, resumed, cmd, git_commit(), used))
        time.sleep(2)
        for item in list(running):
            (arm, seed, digest, proc, out, start, sampler, resumed, cmd,
             commit, used) = item
            if proc.poll() is None:
                continue
            running.remove(item)
            a = spec['arm_specs'][arm]
            wd = work_dir(spec, arm, seed, args.work_root)
            status = proc.returncode
            if status == 0 and a['export']:
                status = _export(spec, arm, wd, out, env)
            sampler.__exit__(None, None, None)
            out.close()
            if status != 0:
                failed += 1
                unusable.add((arm, seed))
                print(f'{arm} seed {seed}: FAILED (exit {status}); '
                      f'see {osp.join(wd, "experiment.out")}', flush=True)
                continue
            try:
                record = _record_run(spec, arm, seed, wd, args, dict(
                    digest=digest, commit=commit, cmd=cmd, start=start,
                    resumed=resumed, used=used), sampler)
            except Exception as err:  # noqa: BLE001 - keep the others going
                failed += 1
                unusable.add((arm, seed))
                print(f'{arm} seed {seed}: FAILED to record ({err!r}); see '
                      f'{osp.join(wd, "experiment.out")}', flush=True)
                continue
            print(f'{arm} seed {seed}: done, '
                  + (', '.join(f'{k} {_fmt(v)}' for k, v in
                               record['final'].items()) or 'no metrics'),
                  flush=True)
    return 1 if failed else 0


def _record_run(spec, arm, seed, wd, args, run, sampler) -> Dict:
    """Read a finished run's results and write its record."""
    from mmpose_ext.utils.run_record import write_record
    a = spec['arm_specs'][arm]
    if spec.get('kind', 'train') == 'frozen_decoder':
        summary = summarize_result(spec, wd)
    elif a['test']:
        exp, target, _ = parse_ref(a['test'], spec['name'])
        with open(osp.join(RESULTS, exp, target, f'seed{seed}.json')) as f:
            tested_iters = json.load(f).get('iterations')
        summary = summarize_test(a['metrics'], wd, tested_iters)
    else:
        summary = summarize_run(spec, wd, a['metrics'],
                                run_schedule(arm_config(spec, arm)))
    used = run['used']

    def described(key, ref):
        return dict(reference=ref, **{k: v for k, v in used[key].items()
                                      if k != 'path'})

    return write_record(record_path(spec, arm, seed), dict(
        kind='test' if a['test'] else 'training',
        experiment=spec['name'], arm=arm,
        seed=seed, commit=run['commit'], config=arm_config(spec, arm),
        frozen_from=spec.get('checkpoint_from'),
        inputs={key: described(key, ref)
                for key, ref in a['inputs'].items()} or None,
        export=a['export'],
        tested=described('test', a['test']) if a['test'] else None,
        config_sha256=run['digest'],
        command=' '.join(['python'] + run['cmd'][1:]),
        threads=args.threads, jobs=args.jobs,
        data_workers=args.data_workers,
        wall_s=round(time.time() - run['start'], 1),
        resumed=run['resumed'], **summary), load=sampler)


# ---------------------------------------------------------------- render

def _fmt(value) -> str:
    return '—' if value is None else f'{value:.3f}'


def _bootstrap_ci(diffs: np.ndarray) -> Tuple[float, float]:
    """Paired bootstrap 95 % interval of the mean difference (resampling
    seeds; fixed generator, so the table is reproducible)."""
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(diffs), (BOOTSTRAP_SAMPLES, len(diffs)))
    means = diffs[idx].mean(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def describe_claim(claim: Optional[Dict]) -> str:
    if not claim:
        return '—'
    if claim['type'] == 'equivalence':
        return f'equal within ±{claim["tolerance"]:g}'
    return f'{claim.get("direction", "higher")} than the baseline'


def verdict(diffs: np.ndarray, claim: Optional[Dict],
            baseline_mean: Optional[float] = None) -> str:
    """reproduced / not reproduced / inconclusive, from the paired
    differences' bootstrap interval and the claim. With the claim's
    ``min_baseline`` and a ``baseline_mean`` below it (the baseline arm's
    mean of the claim's metric over the paired seeds), inconclusive: runs
    that barely leave the start line decide nothing, however their
    differences fall."""
    if claim is None or len(diffs) < 2:
        return 'inconclusive (fewer than 2 pairs)' if claim else '—'
    floor = claim.get('min_baseline')
    if floor is not None and baseline_mean is not None and \
            baseline_mean < floor:
        return (f'inconclusive (baseline {baseline_mean:.3f} < '
                f'{floor:g}: not off the start line)')
    low, high = _bootstrap_ci(diffs)
    resolution = (high - low) / 2
    if claim['type'] == 'equivalence':
        tol = claim['tolerance']
        if -tol <= low and high <= tol:
            return f'reproduced (95 % CI within ±{tol:g})'
        if high < -tol or low > tol:
            return f'not reproduced (95 % CI outside ±{tol:g})'
        return f'inconclusive (resolves ±{resolution:.3f})'
    sign = 1 if claim.get('direction', 'higher') == 'higher' else -1
    low, high = sorted((sign * low, sign * high))
    side = 'above' if sign > 0 else 'below'
    other = 'below' if sign > 0 else 'above'
    if low > 0:
        return f'reproduced (95 % CI {side} 0)'
    if high < 0:
        return f'not reproduced (95 % CI {other} 0)'
    return f'inconclusive (resolves ±{resolution:.3f})'


def render_table(spec: Dict, table: str) -> str:
    records = load_records(spec)
    metrics = spec['metrics']
    # pre-training arms (metrics: []) have nothing to show
    shown = [a for a in spec['arms'] if spec['arm_specs'][a]['metrics']]
    lines = []
    if table == 'runs':
        lines.append('| arm | seed | ' + ' | '.join(metrics) +
                     ' | iterations | wall min | load avg |')
        lines.append('| --- | ---: | ' + '---: | ' * len(metrics) +
                     '---: | ---: | ---: |')
        for arm in shown:
            for seed in spec['seeds']:
                rec = records.get((arm, seed))
                if rec is None:
                    lines.append(f'| {arm} | {seed} | ' + ' | '.join(
                        ['not run'] * len(metrics)) + ' | — | — | — |')
                    continue
                load = (rec.get('load_average') or {}).get('mean')
                lines.append(
                    f'| {arm} | {seed} | ' + ' | '.join(
                        _fmt(rec['final'].get(m)) for m in metrics) +
                    f" | {rec['iterations']} | {run_minutes(rec):.1f} | "
                    f"{'—' if load is None else f'{load:.1f}'} |")
    elif table == 'arms':
        lines.append('| arm | runs | ' + ' | '.join(
            f'{m} mean ± sd' for m in metrics) + ' |')
        lines.append('| --- | ---: |' + ' ---: |' * len(metrics))
        for arm in shown:
            recs = [records[arm, s] for s in spec['seeds']
                    if (arm, s) in records]
            cells = []
            for m in metrics:
                vals = np.array([r['final'][m] for r in recs
                                 if m in r['final']])
                cells.append('—' if not len(vals) else
                             f'{vals.mean():.3f} ± {vals.std(ddof=1):.3f}'
                             if len(vals) > 1 else f'{vals[0]:.3f}')
            lines.append(f'| {arm} | {len(recs)} | ' + ' | '.join(cells) +
                         ' |')
    elif table == 'paired':
        base = spec.get('baseline')
        if not base:
            raise SystemExit(f'{spec["name"]}: a paired table needs a '
                             '`baseline` arm in experiment.yml')
        lines.append(f'| arm − {base} | metric | pairs (seeds) | '
                     'differences | mean | 95 % CI (paired bootstrap) | '
                     'claim | verdict |')
        lines.append('| --- | --- | --- | --- | ---: | --- | --- | --- |')
        for arm in shown:
            if arm == base:
                continue
            claim = (spec.get('claims') or {}).get(arm, spec.get('claim'))
            metric = claim['metric'] if claim else metrics[0]
            seeds = [s for s in spec['seeds']
                     if (arm, s) in records and (base, s) in records]
            diffs = np.array([records[arm, s]['final'][metric] -
                              records[base, s]['final'][metric]
                              for s in seeds])
            if not len(diffs):
                lines.append(f'| {arm} | {metric} | 0 | — | — | — | '
                             f'{describe_claim(claim)} | not run |')
                continue
            base_mean = float(np.mean([records[base, s]['final'][metric]
                                       for s in seeds]))
            # one pair has no interval
            ci = ('[{:+.3f}, {:+.3f}]'.format(*_bootstrap_ci(diffs))
                  if len(diffs) > 1 else '—')
            lines.append(
                f'| {arm} | {metric} | {len(seeds)} '
                f'({", ".join(map(str, seeds))}) | '
                + ', '.join(f'{d:+.3f}' for d in diffs) +
                f' | {diffs.mean():+.3f} | {ci} | '
                f'{describe_claim(claim)} | {verdict(diffs, claim, base_mean)} |')
    else:
        raise SystemExit(f'unknown table {table!r}')
    return '\n'.join(lines) + '\n'


def render_benchmark(name: str) -> str:
    path = osp.join(RESULTS, f'{name}.json')
    if not osp.isfile(path):
        raise SystemExit(f'no benchmark record {osp.relpath(path, REPO)}: '
                         f'run the benchmark with --record {osp.relpath(path, REPO)}')
    with open(path) as f:
        rec = json.load(f)
    load = rec.get('load_average') or {}
    head = (f"{rec['date'][:10]}, {rec['machine']['cpu']}, "
            f"{rec['machine']['cores']} cores, load average "
            f"{load.get('min', '?')}-{load.get('max', '?')} during the run, "
            f"commit {str(rec['commit'])[:8]}"
            f"{' with uncommitted changes' if str(rec['commit']).endswith('+dirty') else ''}"
            f": `{rec['command']}`")
    return head + '\n\n' + '\n'.join(rec['table'][1:]) + '\n'


def render_block(name: str, table: str) -> str:
    if table == 'benchmark':
        return render_benchmark(name)
    return render_table(load_spec(name), table)


def plot(spec: Dict) -> List[str]:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    records = load_records(spec)
    paths = _plot_loss_curves(spec, records, plt)
    if all(len(r['evaluations']) < 2 for r in records.values()):
        print(f'{spec["name"]}: every run has one evaluation; no metric '
              'curve to draw')
        return paths
    for metric in spec['metrics']:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
        for i, arm in enumerate(spec['arms']):
            labelled = False
            for seed in spec['seeds']:
                rec = records.get((arm, seed))
                # a pre-training arm has no evaluation to draw
                if rec is None or not rec['evaluations']:
                    continue
                its = [e['iter'] for e in rec['evaluations']]
                vals = [e.get(metric) for e in rec['evaluations']]
                per_iter = run_minutes(rec) / max(rec['iterations'], 1)
                # one legend entry per arm: its seeds share its colour
                style = dict(color=f'C{i}', marker='o', alpha=0.8,
                             label=None if labelled else arm)
                labelled = True
                axes[0].plot(its, vals, **style)
                axes[1].plot([t * per_iter for t in its], vals, **style)
        axes[0].set_xlabel('iteration')
        axes[1].set_xlabel('wall time (min, this run\'s machine)')
        for ax in axes:
            ax.set_ylabel(metric)
            ax.grid(alpha=0.3)
        axes[1].legend(fontsize=8, title='arm (one line per seed)',
                       title_fontsize=8)
        fig.suptitle(f'{spec["name"]}: {metric}')
        fig.tight_layout()
        path = osp.join(RESULTS, spec['name'],
                        re.sub(r'[^\w.]+', '_', metric) + '.png')
        os.makedirs(osp.dirname(path), exist_ok=True)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        paths.append(path)
    return paths


def run_minutes(rec: Dict) -> float:
    """A run's training time in minutes: its wall time, or for a resumed
    run (whose wall time covers only its last start) the iteration times
    its logs hold over every start."""
    if rec.get('resumed') and rec.get('train_s_from_log'):
        return rec['train_s_from_log'] / 60
    return rec['wall_s'] / 60


def _plot_loss_curves(spec: Dict, records: Dict, plt) -> List[str]:
    """The training loss of each arm that is not evaluated (a
    pre-training, ``metrics: []``) against iterations and wall time, one
    line per seed: ``results/NAME/ARM_loss.png``."""
    paths = []
    for arm in spec['arms']:
        if spec['arm_specs'][arm]['metrics']:
            continue
        runs = [(seed, records[arm, seed]) for seed in spec['seeds']
                if records.get((arm, seed), {}).get('loss_curve')]
        if not runs:
            continue
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
        for seed, rec in runs:
            its = [e['iter'] for e in rec['loss_curve']]
            loss = [e['loss'] for e in rec['loss_curve']]
            per_iter = run_minutes(rec) / max(rec['iterations'], 1)
            axes[0].plot(its, loss, label=f'seed {seed}')
            axes[1].plot([t * per_iter for t in its], loss,
                         label=f'seed {seed}')
        axes[0].set_xlabel('iteration')
        axes[1].set_xlabel('wall time (min, this run\'s machine)')
        for ax in axes:
            ax.set_ylabel('training loss')
            ax.grid(alpha=0.3)
        axes[1].legend(fontsize=8)
        fig.suptitle(f'{spec["name"]}: {arm} (training loss)')
        fig.tight_layout()
        path = osp.join(RESULTS, spec['name'], f'{arm}_loss.png')
        os.makedirs(osp.dirname(path), exist_ok=True)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        paths.append(path)
    return paths


def doc_blocks() -> List[Tuple[str, re.Match]]:
    """(document, match) for every marked table in README.md and docs/."""
    blocks = []
    for pattern in DOCS:
        for path in sorted(glob.glob(osp.join(REPO, pattern))):
            with open(path) as f:
                text = f.read()
            blocks += [(path, m) for m in MARKER.finditer(text)]
    return blocks


def check_docs(write: bool) -> int:
    """Compare (``write``: rewrite) every marked block with its records;
    1 when a block differs (and is not rewritten) or cannot be rendered."""
    stale = missing = 0
    for path in sorted({p for p, _ in doc_blocks()}):
        with open(path) as f:
            text = f.read()

        def replace(m):
            nonlocal stale, missing
            try:
                want = render_block(m['name'], m['table'])
            except SystemExit as err:  # e.g. a benchmark not recorded yet
                missing += 1
                print(f'{osp.relpath(path, REPO)}: {m["name"]} {m["table"]}'
                      f': {err}')
                return m.group(0)
            if m['body'] != want:
                stale += 1
                print(f'{osp.relpath(path, REPO)}: {m["name"]} {m["table"]}'
                      ' differs from its records')
            return m.group(1) + want + m.group(5)

        new = MARKER.sub(replace, text)
        if write and new != text:
            with open(path, 'w') as f:
                f.write(new)
    if stale and not write:
        print('rewrite with: python -m mmpose_ext.tools.experiment render '
              '--docs --write')
    return 1 if missing or (stale and not write) else 0


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='action', required=True)
    sub.add_parser('list', help='the experiments and how many runs each '
                   'has recorded')
    p = sub.add_parser('run', help='train the runs without a record')
    p.add_argument('name')
    p.add_argument('--jobs', type=int, default=1,
                   help='training processes at once (2 cores: at most 2)')
    p.add_argument('--threads', type=int, default=1,
                   help='torch/OpenMP threads per process')
    p.add_argument('--data-workers', type=int, default=1)
    p.add_argument('--data-root', default=None,
                   help="where the experiment's (first) data set is "
                   '(default: its environment variable, e.g. '
                   '$MMPOSE_EXT_SYNTHETIC, else data/ in the repository)')
    p.add_argument('--work-root', default='work_dirs/experiments')
    p.add_argument('--rerun-stale', action='store_true')
    p.add_argument('--arms', nargs='+', metavar='ARM',
                   help='only these arms (and the arms of this experiment '
                   'they take inputs from); default: all')
    p.add_argument('--seeds', nargs='+', type=int, metavar='SEED',
                   help="only these of the experiment's seeds; default: all")
    p = sub.add_parser('render', help='print the tables from the records')
    p.add_argument('name', nargs='?')
    p.add_argument('--table', choices=('runs', 'arms', 'paired'),
                   action='append')
    p.add_argument('--plot', action='store_true')
    p.add_argument('--docs', action='store_true',
                   help='check the marked tables in README.md and docs/')
    p.add_argument('--write', action='store_true',
                   help='with --docs: rewrite the marked tables')
    args = parser.parse_args(argv)
    if args.action == 'list':
        for name in list_experiments():
            spec = load_spec(name)
            n = len(load_records(spec))
            total = len(spec['arms']) * len(spec['seeds'])
            print(f'{name}: {n}/{total} runs recorded; '
                  f'{spec.get("description", "")}')
        return 0
    if args.action == 'run':
        return run(load_spec(args.name), args)
    if args.docs:
        return check_docs(args.write)
    if not args.name:
        parser.error('render needs an experiment name or --docs')
    spec = load_spec(args.name)
    tables = args.table or (['runs', 'arms'] +
                            (['paired'] if spec.get('baseline') else []))
    for table in tables:
        print(render_table(spec, table))
    if args.plot:
        for path in plot(spec):
            print('plot:', osp.relpath(path, REPO))
    return 0


if __name__ == '__main__':
    sys.exit(main())
