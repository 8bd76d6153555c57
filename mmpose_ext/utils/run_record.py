"""What a recorded run says about where and how it ran: the commit, the
package versions, the machine and its load while the run lasted.

Every measured number in the docs comes from a record (``results/``), so a
reader can tell which commit, which machine and how busy that machine was.
Training runs and speed benchmarks write the same fields; a benchmark calls

    with LoadSampler() as load:
        ...time things...
    write_record(path, dict(kind='benchmark', ...), load=load)
"""
import json
import os
import os.path as osp
import platform
import subprocess
import threading
import time
from datetime import datetime, timezone
from typing import Dict, Optional

__all__ = ['machine_info', 'package_versions', 'git_commit', 'LoadSampler',
           'record_header', 'write_record', 'finish_benchmark',
           'command_line']

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PACKAGES = ('torch', 'mmcv', 'mmengine', 'mmpose', 'mmdet', 'numpy')


def machine_info() -> Dict:
    """CPU model, logical cores, memory (GiB) and platform."""
    model = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    memory = None
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemTotal:'):
                    memory = round(int(line.split()[1]) / 2**20, 1)
                    break
    except OSError:
        pass
    return dict(cpu=model, cores=os.cpu_count(), memory_gib=memory,
                platform=platform.platform())


def package_versions() -> Dict[str, Optional[str]]:
    """Versions of the host stack and of this package."""
    from importlib.metadata import PackageNotFoundError, version
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    from mmpose_ext.version import __version__
    versions['mmpose_ext'] = __version__
    return versions


def git_commit(repo: str = REPO) -> Optional[str]:
    """``HEAD``'s hash, with ``+dirty`` when tracked files differ from it;
    None outside a git checkout."""
    try:
        head = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=repo,
                              capture_output=True, text=True, check=True,
                              timeout=30).stdout.strip()
        dirty = subprocess.run(
            ['git', 'status', '--porcelain', '--untracked-files=no'],
            cwd=repo, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ('+dirty' if dirty.strip() else '')


class LoadSampler:
    """Samples the 1-minute load average every ``interval`` seconds while
    the ``with`` block runs (a background thread; Unix only, elsewhere it
    records nothing). ``summary()`` gives min, mean and max."""

    def __init__(self, interval: float = 10.):
        self.interval = interval
        self.samples = []
        self._stop = threading.Event()
        self._thread = None

    def _sample(self):
        try:
            self.samples.append(os.getloadavg()[0])
        except (AttributeError, OSError):
            pass

    def _loop(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self):
        self._sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()
        return False

    def summary(self) -> Optional[Dict[str, float]]:
        if not self.samples:
            return None
        return dict(min=round(min(self.samples), 2),
                    mean=round(sum(self.samples) / len(self.samples), 2),
                    max=round(max(self.samples), 2),
                    samples=len(self.samples))


def record_header() -> Dict:
    """The fields every record starts with."""
    return dict(
        date=datetime.now(timezone.utc).isoformat(timespec='seconds'),
        commit=git_commit(), packages=package_versions(),
        machine=machine_info())


def write_record(path: str, fields: Dict,
                 load: Optional[LoadSampler] = None) -> Dict:
    """Write ``record_header()`` + ``fields`` (+ the load summary) to
    ``path`` as JSON (sorted keys, one file per run), atomically; returns
    the record."""
    record = record_header()
    if load is not None:
        record['load_average'] = load.summary()
    record.update(fields)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    partial = f'{path}.{os.getpid()}.tmp'
    with open(partial, 'w') as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write('\n')
    os.replace(partial, path)
    return record


def alternating_times(fns: list, repeats: int) -> list:
    """Seconds of each of ``fns`` over ``repeats`` rounds, after one warm-up
    call each; every round calls them in turn, so that on a shared machine
    all see the same load. Returns one list of ``repeats`` times per
    function, in the order of ``fns``."""
    import time
    for fn in fns:
        fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, out in zip(fns, times):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return times


def median_interval(values, level=0.95):
    """Distribution-free interval for the median of ``values``: the k-th
    smallest and k-th largest value, k the largest with
    P(Binomial(n, 1/2) < k) <= (1 - level) / 2 (with fewer than 6 values no
    such k exists and the interval is the range)."""
    from math import comb
    ordered, n = sorted(values), len(values)
    k, tail = 0, 0.0
    while k < n // 2:
        tail_next = tail + comb(n, k) / 2**n
        if tail_next > (1 - level) / 2:
            break
        k, tail = k + 1, tail_next
    k = max(k, 1)
    return ordered[k - 1], ordered[n - k]


def finish_benchmark(name: str, record: Optional[str], load: LoadSampler,
                     rows: list, table: list, **fields) -> None:
    """What every benchmark does at its end: print the load it ran under
    and, if ``record`` names a file, write its record there (``kind``
    benchmark, its command line, ``rows``, the printed ``table`` lines and
    ``fields`` such as threads and repeats)."""
    print(f'load average during the run: {load.summary()}')
    if record:
        write_record(record, dict(
            kind='benchmark', benchmark=name, command=command_line(),
            rows=rows, table=table, **fields), load=load)


def command_line() -> str:
    """The command as it was typed: ``python -m MODULE ...`` for a module
    run with ``-m`` (whose ``sys.argv[0]`` is the file's absolute path),
    ``python SCRIPT ...`` otherwise; arguments shell-quoted (an empty one
    reads ``''``)."""
    import shlex
    import sys
    spec = getattr(sys.modules.get('__main__'), '__spec__', None)
    module = spec.name[:-len('.__main__')] if spec is not None and \
        spec.name.endswith('.__main__') else getattr(spec, 'name', None)
    head = ['python', '-m', module] if module else [
        'python', sys.argv[0]]
    return ' '.join(head[:-1] + [shlex.quote(head[-1])] +
                    [shlex.quote(a) for a in sys.argv[1:]])
