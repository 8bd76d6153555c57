"""TrainProgressHook: the bar and its ETA, per line when not on a terminal,
redrawn in place on one, validation time not counted."""
import io
from types import SimpleNamespace
from unittest import mock

import pytest

from mmpose_ext.engine.hooks import TrainProgressHook, format_progress
from mmpose_ext.engine.hooks import train_progress_hook as module


def test_format_progress():
    assert format_progress(0, 10, 0., width=10) == \
        '[..........] 0/10 iters  00:00 elapsed  ETA --:--'
    # 30 s for 3 of 12 iterations: 90 s left
    assert format_progress(3, 12, 30., width=4) == \
        '[#...] 3/12 iters  00:30 elapsed  ETA 01:30'
    assert format_progress(12, 12, 3725., width=4) == \
        '[####] 12/12 iters  1:02:05 elapsed  ETA 00:00'


class _Clock:
    def __init__(self):
        self.now = 0.

    def __call__(self):
        return self.now


def _run(stream, total=20, val_at=10, resumed_at=0):
    clock = _Clock()
    runner = SimpleNamespace(iter=resumed_at, max_iters=total)
    hook = TrainProgressHook(interval_percent=25, stream=stream)
    with mock.patch.object(module.time, 'perf_counter', clock):
        hook.before_train(runner)
        for it in range(resumed_at, total):
            runner.iter = it
            hook.before_train_iter(runner, it)
            clock.now += 2.  # 2 s per iteration
            hook.after_train_iter(runner, it)
            if it + 1 == val_at:
                hook.before_val(runner)
                clock.now += 100.  # validation: not training time
                hook.after_val(runner)
    return stream.getvalue()


def test_lines_when_not_a_terminal():
    lines = _run(io.StringIO()).splitlines()
    # one line per 25 % (5 iterations) and the last
    assert [l.split()[1] for l in lines] == ['5/20', '10/20', '15/20',
                                             '20/20']
    assert lines[0].endswith('00:10 elapsed  ETA 00:30')
    # the 100 s of validation after iteration 10 are not counted
    assert lines[2].endswith('00:30 elapsed  ETA 00:10')
    assert lines[3].endswith('00:40 elapsed  ETA 00:00')


def test_resumed_run_counts_its_own_iterations():
    lines = _run(io.StringIO(), resumed_at=12, val_at=None).splitlines()
    assert lines[-1].startswith('[') and '8/8 iters' in lines[-1]
    assert lines[-1].endswith('(resumed at 12)')


def test_redrawn_in_place_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = _run(Tty(), total=4, val_at=None)
    assert out.count('\r') == 4 and out.endswith('ETA 00:00\n')


def test_bad_interval():
    with pytest.raises(ValueError, match='interval_percent'):
        TrainProgressHook(interval_percent=0)
