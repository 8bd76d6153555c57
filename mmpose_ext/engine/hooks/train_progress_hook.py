"""A progress bar with the remaining training time (ETA) for iteration-based
(and epoch-based) training."""
import sys
import time
from typing import Optional, TextIO

from mmengine.hooks import Hook
from mmpose.registry import HOOKS

__all__ = ['TrainProgressHook', 'format_progress']


def _clock(seconds: float) -> str:
    seconds = int(round(max(seconds, 0.)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f'{h}:{m:02d}:{s:02d}' if h else f'{m:02d}:{s:02d}'


def format_progress(done: int, total: int, elapsed: float,
                    width: int = 30) -> str:
    """``[#####.....] 120/1000 iters  02:10 elapsed  ETA 15:53``.

    The ETA extrapolates the mean time per iteration so far (validation
    excluded) to the iterations left.
    """
    done = min(done, total)
    filled = int(width * done / total) if total else width
    eta = elapsed / done * (total - done) if done else float('nan')
    eta = _clock(eta) if done else '--:--'
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} iters  "
            f'{_clock(elapsed)} elapsed  ETA {eta}')


@HOOKS.register_module()
class TrainProgressHook(Hook):
    """Prints a training progress bar with ETA.

    On a terminal the bar is redrawn in place every iteration; otherwise
    (a log file, a pipe) one line is printed every ``interval_percent`` of
    the iterations. Time spent in validation is not counted in the ETA.

    Args:
        interval_percent (int): Line interval when not on a terminal.
        stream (TextIO, optional): Where to print; ``sys.stdout`` by default.
    """

    priority = 'VERY_LOW'

    def __init__(self, interval_percent: int = 5,
                 stream: Optional[TextIO] = None) -> None:
        if not 0 < interval_percent <= 100:
            raise ValueError('TrainProgressHook: interval_percent must be in '
                             f'(0, 100], got {interval_percent}')
        self.interval_percent = interval_percent
        self.stream = stream
        self._elapsed = 0.
        self._last = None
        self._done_at_start = 0

    @property
    def _out(self) -> TextIO:
        return self.stream or sys.stdout

    def before_train(self, runner) -> None:
        self._done_at_start = runner.iter  # resumed runs count from here
        self._elapsed = 0.
        self._last = time.perf_counter()

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self._last is None:
            self._last = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        now = time.perf_counter()
        self._elapsed += now - self._last
        self._last = now
        done, total = runner.iter + 1, runner.max_iters
        # ETA from the iterations of this run only (a resumed run's earlier
        # ones took unknown time)
        line = format_progress(done - self._done_at_start,
                               total - self._done_at_start, self._elapsed)
        if self._done_at_start:
            line += f'  (resumed at {self._done_at_start})'
        isatty = getattr(self._out, 'isatty', lambda: False)()
        if isatty:
            self._out.write('\r' + line + ('\n' if done == total else ''))
            self._out.flush()
            return
        step = max(1, total * self.interval_percent // 100)
        if done == total or done % step == 0:
            self._out.write(line + '\n')
            self._out.flush()

    def before_val(self, runner) -> None:
        isatty = getattr(self._out, 'isatty', lambda: False)()
        if isatty:
            self._out.write('\n')

    def after_val(self, runner) -> None:
        # validation is not training time
        self._last = time.perf_counter()
