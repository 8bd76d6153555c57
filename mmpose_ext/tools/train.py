"""Train a pose model: ``mim train mmpose_ext CONFIG`` or
``python -m mmpose_ext.tools.train CONFIG``.

Same arguments as MMPose 1.3.2's ``tools/train.py`` (they are parsed by it),
plus: mmpose_ext's modules are registered, ``load_from`` / ``--resume`` are
read weights-only through mmpose_ext's allowlist and refused when they do not
fit the model (``--cfg-options allow_partial_checkpoint=True`` loads what
fits, e.g. to fine-tune with another head), the data files are checked before
the Runner starts, and ``--launcher pytorch`` also works on CPU (gloo).
"""
from mmengine.runner import Runner

from mmpose_ext.tools.dataset_file_checks import check_dataset_files
from mmpose_ext.tools.mmpose_tools import (check_amp_device, load_config,
                                          load_mmpose_tool,
                                          setup_checkpoint_loading,
                                          setup_cpu_distributed)


def main():
    host = load_mmpose_tool('train')
    args = host.parse_args()
    cfg = host.merge_args(load_config(args.config), args)
    if 'preprocess_cfg' in cfg:
        cfg.model.setdefault('data_preprocessor', cfg.get('preprocess_cfg', {}))
    check_amp_device(cfg)
    check_dataset_files(cfg, ('train', 'val'))
    setup_checkpoint_loading(cfg)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
