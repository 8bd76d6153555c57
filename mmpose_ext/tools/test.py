"""Test (and evaluate) a pose model: ``mim test mmpose_ext CONFIG
--checkpoint CKPT`` or ``python -m mmpose_ext.tools.test CONFIG CKPT``.

Same arguments as MMPose 1.3.2's ``tools/test.py`` (they are parsed by it);
the checkpoint is loaded weights-only through mmpose_ext's allowlist and
refused when its weights do not fit the config's model
(``--cfg-options allow_partial_checkpoint=True`` loads what fits), and the
data files and the checkpoint are checked before the Runner starts.
"""
import os.path as osp

import mmengine
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmpose_ext.tools.dataset_file_checks import check_dataset_files
from mmpose_ext.tools.mmpose_tools import (load_config, load_mmpose_tool,
                                          setup_checkpoint_loading,
                                          setup_cpu_distributed)


class _DumpMetrics(Hook):
    """Writes the test metrics to ``--out`` (as MMPose's test tool does)."""

    def __init__(self, out_file):
        self.out_file = out_file

    def after_test_epoch(self, runner, metrics=None):
        if metrics is not None:
            mmengine.dump(metrics, self.out_file)


def main():
    host = load_mmpose_tool('test')
    args = host.parse_args()
    if '://' not in args.checkpoint and not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint!r} does not exist')
    cfg = host.merge_args(load_config(args.config), args)
    check_dataset_files(cfg, ('test', ))
    setup_checkpoint_loading(cfg)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    if args.out:
        runner.register_hook(_DumpMetrics(args.out), 'LOWEST')
    runner.test()


if __name__ == '__main__':
    main()
