"""Run records: what every recorded run says about its commit, packages,
machine and load."""
import json
import sys
import time
import types

import pytest

from mmpose_ext.utils.run_record import (LoadSampler, alternating_times,
                                         command_line,
                                         finish_benchmark, git_commit,
                                         machine_info, median_interval,
                                         package_versions, write_record)


def test_record_holds_header_fields_and_the_load(tmp_path):
    with LoadSampler(interval=0.05) as load:
        time.sleep(0.2)
    summary = load.summary()
    assert summary['samples'] >= 3
    assert summary['min'] <= summary['mean'] <= summary['max']
    path = tmp_path / 'sub' / 'run.json'
    record = write_record(str(path), dict(kind='benchmark', rows=[1]),
                          load=load)
    on_disk = json.loads(path.read_text())
    assert on_disk == record
    assert on_disk['rows'] == [1] and on_disk['load_average'] == summary
    for key in ('date', 'commit', 'packages', 'machine'):
        assert key in on_disk
    assert not list(tmp_path.glob('sub/*.tmp'))  # written atomically


def test_fields_override_the_header(tmp_path):
    record = write_record(str(tmp_path / 'r.json'), dict(commit='abc'))
    assert record['commit'] == 'abc'


def test_machine_packages_and_commit():
    machine = machine_info()
    assert machine['cores'] >= 1 and machine['cpu']
    versions = package_versions()
    assert versions['torch'] and versions['mmpose_ext']
    commit = git_commit()
    assert commit is None or len(commit.split('+')[0]) == 40


def test_commit_outside_a_checkout_is_none(tmp_path):
    assert git_commit(str(tmp_path)) is None


def test_finish_benchmark_prints_the_load_and_writes_the_record(
        tmp_path, capsys):
    with LoadSampler(interval=0.05) as load:
        time.sleep(0.1)
    path = tmp_path / 'bench.json'
    finish_benchmark('demo', str(path), load, [dict(x=1)], ['| x |'],
                     threads=1)
    assert 'load average during the run' in capsys.readouterr().out
    rec = json.loads(path.read_text())
    assert (rec['kind'], rec['benchmark'], rec['rows'], rec['table'],
            rec['threads']) == ('benchmark', 'demo', [{'x': 1}], ['| x |'], 1)
    assert rec['command'].startswith('python ')
    finish_benchmark('demo', None, load, [], [])  # no file: prints only


@pytest.mark.parametrize('spec,argv,expected', [
    (None, ['benchmarks/codecs.py', '--threads', '1'],
     'python benchmarks/codecs.py --threads 1'),
    ('mmpose_ext.tools.codec_roundtrip',
     ['/abs/mmpose_ext/tools/codec_roundtrip.py', '--img-prefix', ''],
     "python -m mmpose_ext.tools.codec_roundtrip --img-prefix ''"),
    ('mmpose_ext.synthetic.__main__', ['/abs/__main__.py', '--out', 'a b'],
     "python -m mmpose_ext.synthetic --out 'a b'"),
])
def test_command_line_as_typed(monkeypatch, spec, argv, expected):
    main = types.ModuleType('__main__')
    main.__spec__ = None if spec is None else types.SimpleNamespace(name=spec)
    monkeypatch.setitem(sys.modules, '__main__', main)
    monkeypatch.setattr(sys, 'argv', argv)
    assert command_line() == expected


def test_alternating_times_warm_up_then_take_turns():
    calls = []
    times = alternating_times(
        [lambda: calls.append('a'), lambda: calls.append('b')], repeats=3)
    assert calls == ['a', 'b'] * 4  # one warm-up round, then three
    assert [len(t) for t in times] == [3, 3]
    assert all(s >= 0 for t in times for s in t)


def test_median_interval_is_the_binomial_order_statistics():
    # the textbook ranks of a 95 % interval for the median: 10 and 21 of
    # 30, 2 and 9 of 10 (P(Binomial(n, 1/2) <= k - 1) <= 0.025)
    assert median_interval(list(range(1, 31))) == (10, 21)
    assert median_interval([9, 1, 8, 2, 7, 3, 6, 4, 5, 10]) == (2, 9)
    # too few values for 95 %: the range
    assert median_interval([3, 1, 2]) == (1, 3)
    assert median_interval([5.0]) == (5.0, 5.0)
