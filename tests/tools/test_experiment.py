"""The experiment runner: specs, records from the training logs, tables and
verdicts, the marked tables in the docs, and a real run that is killed and
resumed."""
import hashlib
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from mmpose_ext.tools import experiment as ex
from tests.helpers import REPO


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """An experiments folder and a results folder of the test's own."""
    exps, results = tmp_path / 'experiments', tmp_path / 'results'
    exps.mkdir()
    results.mkdir()
    monkeypatch.setattr(ex, 'EXPERIMENTS', str(exps))
    monkeypatch.setattr(ex, 'RESULTS', str(results))
    return tmp_path


def write_spec(root, name, body, arms=('a', 'b')):
    folder = root / 'experiments' / name
    folder.mkdir(parents=True)
    for arm in arms:
        (folder / f'{arm}.py').write_text('x = 1\n')
    (folder / 'experiment.yml').write_text(body)
    return folder


SPEC = """description: test
arms: {a: a.py, b: b.py}
seeds: [0, 1, 2]
metrics: [coco/AP]
baseline: a
claim: {metric: coco/AP, type: equivalence, tolerance: 0.01}
"""


def write_record(root, name, arm, seed, ap):
    path = root / 'results' / name / arm / f'seed{seed}.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(
        final={'coco/AP': ap}, iterations=100, wall_s=60.0,
        evaluations=[{'iter': 100, 'coco/AP': ap}],
        load_average=dict(mean=1.0))))


def test_spec_errors_name_the_problem(sandbox):
    with pytest.raises(SystemExit, match='no .*experiment.yml'):
        ex.load_spec('missing')
    write_spec(sandbox, 'bad', SPEC.replace('b: b.py', 'b: gone.py'))
    with pytest.raises(SystemExit, match="arm 'b' names gone.py"):
        ex.load_spec('bad')
    write_spec(sandbox, 'nobase', SPEC.replace('baseline: a', 'baseline: c'))
    with pytest.raises(SystemExit, match="baseline 'c' is not one"):
        ex.load_spec('nobase')
    # a misspelt claim key would silently drop what it says
    write_spec(sandbox, 'typo', SPEC.replace('tolerance: 0.01',
                                             'tolerance: 0.01, min_basline: 1'))
    with pytest.raises(SystemExit,
                       match=r"claim has unknown keys \['min_basline'\]"):
        ex.load_spec('typo')
    write_spec(sandbox, 'floor', SPEC.replace('tolerance: 0.01',
                                              "tolerance: 0.01, min_baseline: 'x'"))
    with pytest.raises(SystemExit, match='min_baseline must be a number'):
        ex.load_spec('floor')


def test_tables_and_paired_verdict(sandbox):
    write_spec(sandbox, 'e', SPEC)
    for seed, (a, b) in enumerate([(0.140, 0.142), (0.150, 0.149),
                                   (0.130, 0.133)]):
        write_record(sandbox, 'e', 'a', seed, a)
        write_record(sandbox, 'e', 'b', seed, b)
    spec = ex.load_spec('e')
    runs = ex.render_table(spec, 'runs')
    assert '| b | 1 | 0.149 | 100 | 1.0 | 1.0 |' in runs
    arms = ex.render_table(spec, 'arms')
    assert '| a | 3 | 0.140 ± 0.010 |' in arms
    paired = ex.render_table(spec, 'paired')
    assert '| b | coco/AP | 3 (0, 1, 2) | +0.002, -0.001, +0.003 |' in paired
    assert 'equal within ±0.01' in paired
    assert 'reproduced (95 % CI within ±0.01)' in paired


def test_one_pair_has_no_interval(sandbox):
    write_spec(sandbox, 'e', SPEC)
    write_record(sandbox, 'e', 'a', 0, 0.140)
    write_record(sandbox, 'e', 'b', 0, 0.150)
    paired = ex.render_table(ex.load_spec('e'), 'paired')
    assert ('| b | coco/AP | 1 (0) | +0.010 | +0.010 | — | equal within '
            '±0.01 | inconclusive (fewer than 2 pairs) |') in paired


def test_verdicts():
    eq = dict(metric='m', type='equivalence', tolerance=0.01)
    assert ex.verdict(np.array([0.001, -0.002, 0.0]), eq).startswith(
        'reproduced')
    assert ex.verdict(np.array([0.05, 0.06, 0.04]), eq).startswith(
        'not reproduced')
    assert ex.verdict(np.array([0.02, -0.02, 0.0]), eq).startswith(
        'inconclusive')
    sup = dict(metric='m', type='superiority', direction='higher')
    assert ex.verdict(np.array([0.02, 0.03, 0.01]), sup).startswith(
        'reproduced')
    assert ex.verdict(np.array([-0.02, -0.03, -0.01]), sup).startswith(
        'not reproduced')
    lower = dict(sup, direction='lower')
    assert ex.verdict(np.array([-0.02, -0.03, -0.01]), lower).startswith(
        'reproduced')
    assert ex.verdict(np.array([0.02]), eq).startswith('inconclusive')


def test_verdict_floor_on_the_baseline():
    # the same differences decide only where the baseline left the start
    sup = dict(metric='m', type='superiority', direction='higher',
               min_baseline=0.04)
    diffs = np.array([0.002, 0.001])
    assert ex.verdict(diffs, sup, baseline_mean=0.018).startswith(
        'inconclusive (baseline 0.018 < 0.04')
    assert ex.verdict(diffs, sup, baseline_mean=0.15).startswith(
        'reproduced')
    # without a floor, or without the mean, the interval decides
    assert ex.verdict(diffs, dict(sup, min_baseline=None),
                      baseline_mean=0.018).startswith('reproduced')
    assert ex.verdict(diffs, sup).startswith('reproduced')


def test_marked_tables_are_checked_and_rewritten(sandbox, monkeypatch):
    write_spec(sandbox, 'e', SPEC)
    for seed in range(3):
        write_record(sandbox, 'e', 'a', seed, 0.1)
        write_record(sandbox, 'e', 'b', seed, 0.1)
    doc = sandbox / 'doc.md'
    doc.write_text('text\n<!-- experiment: e arms -->\n| old |\n'
                   '<!-- /experiment -->\nmore\n')
    monkeypatch.setattr(ex, 'REPO', str(sandbox))
    monkeypatch.setattr(ex, 'DOCS', ('doc.md', ))
    assert ex.check_docs(write=False) == 1
    assert ex.check_docs(write=True) == 0
    assert ex.check_docs(write=False) == 0
    text = doc.read_text()
    assert '| a | 3 | 0.100 ± 0.000 |' in text and '| old |' not in text
    assert text.startswith('text\n') and text.endswith('more\n')


def test_scalars_of_a_resumed_run_are_merged(tmp_path):
    first = tmp_path / '20260101_000000' / 'vis_data'
    second = tmp_path / '20260101_010000' / 'vis_data'
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    first.joinpath('scalars.json').write_text(
        '{"loss": 2.0, "loss_kpt": 2.0, "iter": 10, "step": 10, '
        '"time": 0.5}\n{"loss": 1.5, "loss_kpt": 1.5, "iter": 20, '
        '"step": 20, "time": 0.5}\n')
    second.joinpath('scalars.json').write_text(
        '{"loss": 1.2, "loss_kpt": 1.2, "iter": 30, "step": 30, '
        '"time": 0.4}\n{"coco/AP": 0.2, "coco/AR": 0.3, "step": 0}\n')
    spec = dict(metrics=['coco/AP'])
    summary = ex.summarize_run(spec, str(tmp_path))
    assert summary['iterations'] == 30
    assert summary['final'] == {'coco/AP': 0.2}
    assert summary['final_losses'] == {'loss': 1.2, 'loss_kpt': 1.2}
    assert summary['train_s_from_log'] == pytest.approx(14.0)
    assert summary['loss_curve'] == [
        dict(iter=10, loss=2.0, loss_kpt=2.0),
        dict(iter=20, loss=1.5, loss_kpt=1.5),
        dict(iter=30, loss=1.2, loss_kpt=1.2)]
    with pytest.raises(RuntimeError, match="no 'coco/AP .5'"):
        ex.summarize_run(dict(metrics=['coco/AP .5']), str(tmp_path))


def test_a_killed_run_resumes_and_a_recorded_run_is_not_rerun(
        sandbox, tmp_path):
    """A real (tiny) TFPose run through the runner: killed after its first
    checkpoint, run again (it resumes), then run a third time (nothing to
    do)."""
    folder = sandbox / 'experiments' / 'tiny'
    folder.mkdir(parents=True)
    base = REPO / 'tests' / 'fixtures' / 'configs' / 'tfpose_tiny_synthetic.py'
    (folder / 'arm.py').write_text(
        f"_base_ = ['{base}']\n"
        "train_cfg = dict(by_epoch=False, max_iters=40, val_interval=40)\n"
        "default_hooks = dict(checkpoint=dict(type='CheckpointHook', "
        "interval=10, by_epoch=False), logger=dict(type='LoggerHook', "
        "interval=10))\n")
    (folder / 'experiment.yml').write_text(
        'arms: {arm: arm.py}\nseeds: [3]\nmetrics: [coco/AP]\n')
    data = tmp_path / 'data'
    subprocess.run([sys.executable, '-m', 'mmpose_ext.synthetic', '--out',
                    str(data), '--num-train', '16', '--num-val', '4'], check=True,
                   cwd=REPO, capture_output=True)
    cmd = [sys.executable, '-c',
           'import sys; from mmpose_ext.tools import experiment as ex; '
           f'ex.EXPERIMENTS = {str(sandbox / "experiments")!r}; '
           f'ex.RESULTS = {str(sandbox / "results")!r}; '
           'sys.exit(ex.main(sys.argv[1:]))',
           'run', 'tiny', '--data-root', str(data), '--work-root',
           str(tmp_path / 'work'), '--data-workers', '0']
    wd = tmp_path / 'work' / 'tiny' / 'arm' / 'seed3'
    proc = subprocess.Popen(cmd, cwd=REPO, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 300
    while not (wd / 'last_checkpoint').exists():
        assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
        assert time.time() < deadline, 'no checkpoint within 300 s'
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)  # the runner and its training
    proc.wait()
    record = sandbox / 'results' / 'tiny' / 'arm' / 'seed3.json'
    assert not record.exists()
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert 'resuming' in out.stdout
    rec = json.loads(record.read_text())
    assert rec['resumed'] and rec['iterations'] == 40 and rec['seed'] == 3
    assert rec['evaluations'][-1]['iter'] == 40
    assert 'coco/AP' in rec['final'] and rec['config_sha256']
    for key in ('commit', 'packages', 'machine', 'load_average', 'wall_s',
                'final_losses', 'logs'):
        assert rec[key], key
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0 and 'every run is recorded' in again.stdout


def test_docs_tables_equal_their_records():
    """Every marked table in README.md and docs/ is what `render` makes of
    its records (rewrite with `python -m mmpose_ext.tools.experiment render
    --docs --write` after a run)."""
    assert ex.doc_blocks(), 'no marked tables found'
    assert ex.check_docs(write=False) == 0


def test_an_arm_shared_by_two_experiments_is_run_once(sandbox):
    write_spec(sandbox, 'first', 'arms: {a: a.py}\nseeds: [0]\n'
               'metrics: [coco/AP]\n', arms=('a', ))
    folder = sandbox / 'experiments' / 'second'
    folder.mkdir()
    (folder / 'experiment.yml').write_text(
        'arms: {same: ../first/a.py}\nseeds: [0]\nmetrics: [coco/AP]\n')
    first, second = ex.load_spec('first'), ex.load_spec('second')
    assert ex.arm_config(first, 'a') == ex.arm_config(second, 'same')
    config = ex.arm_config(first, 'a')
    record = sandbox / 'results' / 'first' / 'a' / 'seed0.json'
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps(dict(
        kind='training', config=config, seed=0, final={'coco/AP': 0.2},
        config_sha256=ex.config_hash(config, 0), threads=1, jobs=2,
        data_workers=1)))
    args = ex.main.__globals__['argparse'].Namespace(
        threads=1, jobs=2, data_workers=1, rerun_stale=False,
        data_root=None, work_root=str(sandbox / 'work'))
    assert ex.run(second, args) == 0  # nothing to train: copied
    copied = json.loads(
        (sandbox / 'results' / 'second' / 'same' / 'seed0.json').read_text())
    assert copied['final'] == {'coco/AP': 0.2}
    assert copied['experiment'] == 'second' and copied['arm'] == 'same'
    assert copied['copied_from'].endswith('first/a/seed0.json')
    # other run settings: not the same run
    args.threads = 2
    assert ex.find_same_run(config, ex.config_hash(config, 0), 0,
                            args) is None


DEPS = """arms:
  pre: {config: pre.py, metrics: []}
  fine:
    config: fine.py
    inputs: {model.init: pre}
    export: [export_knowledge_tokens, tokens.pth]
  student:
    config: student.py
    inputs: {model.tokens: 'fine:tokens.pth'}
  readout: {config: readout.py, test: fine}
seeds: [0, 1]
metrics: [coco/AP]
baseline: fine
"""


def test_arm_references_are_checked(sandbox):
    arms = ('pre', 'fine', 'student', 'readout')
    write_spec(sandbox, 'deps', DEPS, arms=arms)
    spec = ex.load_spec('deps')
    assert spec['arms']['fine'] == 'fine.py'
    assert spec['deps'] == {'pre': [], 'fine': ['pre'], 'student': ['fine'],
                            'readout': ['fine']}
    assert ex.parse_ref('other/arm:f.pth', 'deps') == ('other', 'arm',
                                                       'f.pth')
    for bad, message in [
        (DEPS.replace('model.init: pre', 'model.init: nope'),
         "references 'nope', which is not an arm"),
        (DEPS.replace('pre: {config: pre.py, metrics: []}',
                      'pre: {config: pre.py, inputs: {x: student}}'),
         'in a circle: pre -> student -> fine -> pre'),
        (DEPS.replace('export: [export_knowledge_tokens, tokens.pth]',
                      'export: [no_such_tool, tokens.pth]'),
         "export tool 'no_such_tool' is not a module"),
        (DEPS.replace('metrics: []}', 'metric: []}'),
         r"unknown keys \['metric'\]"),
    ]:
        folder = sandbox / 'experiments' / 'deps'
        (folder / 'experiment.yml').write_text(bad)
        with pytest.raises(SystemExit, match=message):
            ex.load_spec('deps')


def test_a_referenced_run_is_part_of_the_identity(sandbox):
    arms = ('pre', 'fine', 'student', 'readout')
    folder = write_spec(sandbox, 'deps', DEPS, arms=arms)
    spec = ex.load_spec('deps')
    # a plain arm keeps the config hash of earlier records
    assert ex.arm_digest(spec, 'pre', 0) == ex.config_hash(
        ex.arm_config(spec, 'pre'), 0)
    before = ex.arm_digest(spec, 'student', 0)
    assert before != ex.config_hash(ex.arm_config(spec, 'student'), 0)
    (folder / 'pre.py').write_text('x = 2\n')  # two steps upstream
    assert ex.arm_digest(spec, 'student', 0) != before


def _fake_command(real):
    """The runner's command is resolved for real (so missing inputs are
    caught), then replaced by a script that writes what a run leaves: the
    command it got, MMEngine scalars, a checkpoint and, for a test, the
    metrics file."""
    script = (
        'import json, os, sys\n'
        'wd, cmd = sys.argv[1], json.loads(sys.argv[2])\n'
        'json.dump(cmd, open(os.path.join(wd, "cmd.json"), "w"))\n'
        'if "mmpose_ext.tools.test" in cmd:\n'
        '    json.dump({"coco/AP": 0.5}, open(os.path.join(wd, '
        '"metrics.json"), "w"))\n'
        '    sys.exit(0)\n'
        'if any("seed=1" in c for c in cmd) and "pre.py" in cmd[3]:\n'
        '    sys.exit(3)\n'
        'os.makedirs(os.path.join(wd, "t", "vis_data"), exist_ok=True)\n'
        'with open(os.path.join(wd, "t", "vis_data", "scalars.json"), "w") '
        'as f:\n'
        '    f.write(json.dumps({"loss": 1.0, "iter": 10, "time": 0.1}) + '
        '"\\n")\n'
        '    f.write(json.dumps({"coco/AP": 0.25, "step": 1}) + "\\n")\n'
        'ckpt = os.path.join(wd, "iter_10.pth")\n'
        'open(ckpt, "w").write("weights")\n'
        'open(os.path.join(wd, "last_checkpoint"), "w").write(ckpt)\n')

    def command(spec, arm, seed, wd, args, used=None):
        cmd = real(spec, arm, seed, wd, args, used)
        return [sys.executable, '-c', script, wd, json.dumps(cmd)]
    return command


def test_dependent_runs_wait_get_their_inputs_and_skip_after_a_failure(
        sandbox, monkeypatch):
    arms = ('pre', 'fine', 'student', 'readout')
    write_spec(sandbox, 'deps', DEPS, arms=arms)
    spec = ex.load_spec('deps')
    monkeypatch.setattr(ex, '_command', _fake_command(ex._command))

    def export(spec, arm, wd, out, env):
        with open(osp.join(wd, 'tokens.pth'), 'w') as f:
            f.write(ex.final_checkpoint(wd))
        return 0
    monkeypatch.setattr(ex, '_export', export)
    work = sandbox / 'work'
    args = ex.main.__globals__['argparse'].Namespace(
        threads=1, jobs=2, data_workers=0, rerun_stale=False,
        data_root=str(sandbox / 'nodata'), work_root=str(work))
    assert ex.run(spec, args) == 1  # no data: said, nothing runs
    assert not (work / 'deps').exists()
    (sandbox / 'nodata' / 'annotations').mkdir(parents=True)
    assert ex.run(spec, args) == 1  # pre seed 1 fails
    results = sandbox / 'results' / 'deps'
    for arm in arms:  # seed 0: all ran, in dependency order
        assert (results / arm / 'seed0.json').exists(), arm
    for arm in ('pre', 'fine', 'student', 'readout'):  # seed 1: none
        assert not (results / arm / 'seed1.json').exists(), arm
    seed0 = work / 'deps'

    def cmd_of(arm):
        return json.loads((seed0 / arm / 'seed0' / 'cmd.json').read_text())
    assert f'model.init={seed0}/pre/seed0/iter_10.pth' in cmd_of('fine')
    assert (f'model.tokens={seed0}/fine/seed0/tokens.pth'
            in cmd_of('student'))
    readout = cmd_of('readout')
    assert readout[2] == 'mmpose_ext.tools.test'
    assert readout[4] == f'{seed0}/fine/seed0/iter_10.pth'
    pre = json.loads((results / 'pre' / 'seed0.json').read_text())
    assert pre['final'] == {} and pre['final_losses'] == {'loss': 1.0}
    rec = json.loads((results / 'readout' / 'seed0.json').read_text())
    assert rec['kind'] == 'test' and rec['final'] == {'coco/AP': 0.5}
    fine = json.loads((results / 'fine' / 'seed0.json').read_text())
    # what was used: the run, its record's identity, the file's hash
    assert rec['iterations'] == 10 and rec['tested'] == dict(
        reference='fine', run='deps/fine/seed0',
        config_sha256=fine['config_sha256'],
        sha256=hashlib.sha256(b'weights').hexdigest())
    assert fine['inputs']['model.init']['run'] == 'deps/pre/seed0'
    assert (work / 'deps' / 'fine' / 'seed0' / 'run_digest').read_text(
    ).strip() == fine['config_sha256']
    # the pre-training arm is not in the tables
    assert '| pre |' not in ex.render_table(spec, 'runs')
    assert '| readout | 0 | 0.500 |' in ex.render_table(spec, 'runs')


def test_a_run_restricted_to_arms_and_seeds_brings_their_inputs(
        sandbox, monkeypatch):
    arms = ('pre', 'fine', 'student', 'readout')
    write_spec(sandbox, 'deps', DEPS, arms=arms)
    spec = ex.load_spec('deps')
    assert ex.selected_runs(spec) == (list(arms), [0, 1])
    # a chosen arm brings what it reads, transitively, in the spec's order
    assert ex.selected_runs(spec, ['student'], [1]) == (
        ['pre', 'fine', 'student'], [1])
    assert ex.selected_runs(spec, ['pre']) == (['pre'], [0, 1])
    with pytest.raises(ValueError, match='no arm nope; its arms are pre'):
        ex.selected_runs(spec, ['nope'])
    with pytest.raises(ValueError, match='no seed 7; its seeds are 0, 1'):
        ex.selected_runs(spec, seeds=[7])
    monkeypatch.setattr(ex, '_command', _fake_command(ex._command))
    monkeypatch.setattr(ex, '_export', lambda *args: 0)  # fine's tokens
    (sandbox / 'data' / 'annotations').mkdir(parents=True)
    args = ex.main.__globals__['argparse'].Namespace(
        threads=1, jobs=1, data_workers=0, rerun_stale=False,
        data_root=str(sandbox / 'data'), work_root=str(sandbox / 'work'),
        arms=['fine'], seeds=[0])
    assert ex.run(spec, args) == 0
    results = sandbox / 'results' / 'deps'
    assert sorted(p.relative_to(results).as_posix()
                  for p in results.rglob('*.json')) == [
        'fine/seed0.json', 'pre/seed0.json']
    args.arms = ['bad']
    assert ex.run(spec, args) == 1


def test_a_pretraining_arm_gets_its_loss_curve_drawn(sandbox):
    write_spec(sandbox, 'pre', 'arms:\n  pre: {config: pre.py, metrics: []}'
               '\n  fine: fine.py\nseeds: [0, 1]\nmetrics: [coco/AP]\n',
               arms=('pre', 'fine'))
    spec = ex.load_spec('pre')
    for seed in (0, 1):
        path = sandbox / 'results' / 'pre' / 'pre' / f'seed{seed}.json'
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dict(
            final={}, iterations=20, wall_s=60.0, evaluations=[],
            loss_curve=[dict(iter=10, loss=1.0), dict(iter=20, loss=0.8)])))
        write_record(sandbox, 'pre', 'fine', seed, 0.1)
    # the fine-tuning has one evaluation: only the loss picture is drawn
    assert ex.plot(spec) == [
        str(sandbox / 'results' / 'pre' / 'pre_loss.png')]
    assert (sandbox / 'results' / 'pre' / 'pre_loss.png').stat().st_size > 0


def test_a_resumed_run_is_timed_over_all_its_starts():
    # wall_s covers the last start only; the logs' iteration times cover
    # the whole run
    fresh = dict(wall_s=600.0, train_s_from_log=540.0, resumed=False)
    assert ex.run_minutes(fresh) == 10.0
    resumed = dict(wall_s=1292.3, train_s_from_log=2550.6, resumed=True)
    assert ex.run_minutes(resumed) == 2550.6 / 60


def test_the_loader_options_name_only_the_loaders_a_config_has(sandbox):
    folder = write_spec(sandbox, 'loaders', 'arms: {pre: {config: pre.py, '
                        'metrics: []}, fine: fine.py}\nseeds: [0]\n'
                        'metrics: [coco/AP]\n', arms=('pre', 'fine'))
    (folder / 'fine.py').write_text('train_dataloader = dict()\n'
                                    'val_dataloader = dict()\n')
    (folder / 'pre.py').write_text('train_dataloader = dict()\n')
    spec = ex.load_spec('loaders')
    args = ex.main.__globals__['argparse'].Namespace(
        threads=1, jobs=1, data_workers=2, work_root=str(sandbox / 'w'))

    def loader_options(arm):
        cmd = ex._command(spec, arm, 0, str(sandbox / 'w' / arm), args)
        return [c for c in cmd if 'dataloader' in c]
    assert loader_options('fine') == [
        'train_dataloader.num_workers=2', 'val_dataloader.num_workers=2',
        'train_dataloader.persistent_workers=True',
        'val_dataloader.persistent_workers=True']
    # a pre-training without a val loop must not get a val_dataloader
    assert loader_options('pre') == [
        'train_dataloader.num_workers=2',
        'train_dataloader.persistent_workers=True']


def test_a_reference_follows_a_copied_record(sandbox):
    write_spec(sandbox, 'first', 'arms: {a: a.py}\nseeds: [0]\n'
               'metrics: [coco/AP]\n', arms=('a', ))
    write_spec(sandbox, 'second', 'arms: {b: b.py}\nseeds: [0]\n'
               'metrics: [coco/AP]\n', arms=('b', ))
    spec = ex.load_spec('second')
    work = sandbox / 'work'
    with pytest.raises(ex.InputUnavailable, match='has no record'):
        ex.resolve_input(spec, 'first/a', 0, str(work))
    for name, arm, extra in (
            ('first', 'a', {}),
            ('second', 'b', {'copied_from': 'results/first/a/seed0.json'})):
        path = sandbox / 'results' / name / arm / 'seed0.json'
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(dict(extra, config_sha256=ex.arm_digest(
            ex.load_spec(name), arm, 0))))
    with pytest.raises(ex.InputUnavailable, match='checkpoints do not'):
        ex.resolve_input(spec, 'b', 0, str(work))
    wd = work / 'first' / 'a' / 'seed0'
    wd.mkdir(parents=True)
    (wd / 'iter_5.pth').write_text('w')
    (wd / 'last_checkpoint').write_text(str(wd / 'iter_5.pth'))
    assert ex.resolve_input(spec, 'b', 0, str(work))['path'] == str(
        wd / 'iter_5.pth')

    # the referenced run's config changed since: its record is stale, and
    # so is what it would give
    (sandbox / 'experiments' / 'second' / 'b.py').write_text('x = 3\n')
    with pytest.raises(ex.InputUnavailable, match='is stale.*--rerun-stale'):
        ex.resolve_input(spec, 'b', 0, str(work))


def test_a_rerun_input_is_waited_for_and_its_old_work_dir_moved_aside(
        sandbox, monkeypatch):
    arms = ('pre', 'fine', 'student', 'readout')
    folder = write_spec(sandbox, 'deps', DEPS.replace('[0, 1]', '[0]'),
                        arms=arms)
    spec = ex.load_spec('deps')
    monkeypatch.setattr(ex, '_command', _fake_command(ex._command))

    def export(spec, arm, wd, out, env):
        with open(osp.join(wd, 'tokens.pth'), 'w') as f:
            f.write(ex.final_checkpoint(wd))
        return 0
    monkeypatch.setattr(ex, '_export', export)
    work = sandbox / 'work'
    (sandbox / 'data' / 'annotations').mkdir(parents=True)
    args = ex.main.__globals__['argparse'].Namespace(
        threads=1, jobs=2, data_workers=0, rerun_stale=False,
        data_root=str(sandbox / 'data'), work_root=str(work))
    assert ex.run(spec, args) == 0
    results = sandbox / 'results' / 'deps'
    before = {a: json.loads((results / a / 'seed0.json').read_text())
              for a in arms}
    (folder / 'pre.py').write_text('x = 2\n')  # every run is stale now
    ex.run(spec, args)  # without --rerun-stale: reported, kept
    assert json.loads((results / 'pre' / 'seed0.json').read_text()) == \
        before['pre']
    args.rerun_stale = True
    assert ex.run(spec, args) == 0
    after = {a: json.loads((results / a / 'seed0.json').read_text())
             for a in arms}
    for arm in arms:
        assert after[arm]['config_sha256'] != before[arm]['config_sha256']
    # each dependant started after its input's new record
    assert after['fine']['inputs']['model.init']['config_sha256'] == \
        after['pre']['config_sha256']
    assert after['readout']['tested']['config_sha256'] == \
        after['fine']['config_sha256']
    # the old work dirs were moved aside, not resumed
    assert len(list((work / 'deps' / 'pre').glob('seed0.replaced-*'))) == 1
    assert not after['pre']['resumed']


def test_claims_must_name_a_reported_metric(sandbox):
    write_spec(sandbox, 'c', SPEC.replace(
        "claim: {metric: coco/AP,", "claim: {metric: coco/AR,"))
    with pytest.raises(SystemExit, match="about 'coco/AR', which arm 'b'"):
        ex.load_spec('c')


def test_a_missing_benchmark_record_is_reported_and_the_rest_checked(
        sandbox, monkeypatch, tmp_path):
    write_spec(sandbox, 'e', SPEC)
    write_record(sandbox, 'e', 'a', 0, 0.1)
    doc = tmp_path / 'doc.md'
    doc.write_text('<!-- experiment: benchmarks/nothing benchmark -->\n'
                   '<!-- /experiment -->\n'
                   '<!-- experiment: e runs -->\nold\n<!-- /experiment -->\n')
    monkeypatch.setattr(ex, 'REPO', str(tmp_path))
    monkeypatch.setattr(ex, 'DOCS', ('doc.md', ))
    assert ex.check_docs(write=True) == 1  # the missing record
    assert '| a | 0 | 0.100 |' in doc.read_text()  # the other block written


def test_an_evaluation_between_two_log_lines_gets_its_own_iteration(
        tmp_path):
    """Logged every 100 iterations, evaluated every 250 of 1,000: MMEngine
    logs each evaluation with step 0 after the training line of 200, 500,
    700 and 1,000; the records place them at 250, 500, 750 and 1,000."""
    vis = tmp_path / '20260101_000000' / 'vis_data'
    vis.mkdir(parents=True)
    lines = []
    for it in range(100, 1001, 100):
        lines.append(json.dumps(dict(loss=1.0 / it, iter=it, step=it,
                                     time=0.5)))
        if it in (200, 500, 700, 1000):
            lines.append(json.dumps({'coco/AP': it / 1e4, 'step': 0}))
    vis.joinpath('scalars.json').write_text('\n'.join(lines) + '\n')
    spec = dict(metrics=['coco/AP'])
    placed = ex.summarize_run(spec, str(tmp_path), schedule=(250, 1000))
    assert [e['iter'] for e in placed['evaluations']] == [250, 500, 750,
                                                          1000]
    assert [e['coco/AP'] for e in placed['evaluations']] == [
        0.02, 0.05, 0.07, 0.1]
    # without the schedule, the iteration of the line before
    plain = ex.summarize_run(spec, str(tmp_path))
    assert [e['iter'] for e in plain['evaluations']] == [200, 500, 700,
                                                         1000]
    assert ex.evaluation_iter(0, 250, 1000) == 0
    assert ex.evaluation_iter(1450, 500, 1400) == 1400


def test_run_schedule_reads_the_arm_config():
    spec = ex.load_spec('vitpose_multi_dataset')
    assert ex.run_schedule(ex.arm_config(spec, 'coco-only')) == (250, 1000)
    assert ex.run_schedule(ex.arm_config(spec, 'mae')) == (1000, 1800)
