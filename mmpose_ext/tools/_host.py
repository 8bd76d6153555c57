"""Shared by the train and test tools: MMPose's own argument handling, CPU
distributed set-up and an early check of the data files a config names."""
import importlib.util
import os
import os.path as osp

import torch
from mmengine.config import Config

import mmpose
import mmpose_ext  # noqa: F401  (registers modules and the checkpoint allowlist)


def load_mmpose_tool(name):
    """Import ``mmpose/.mim/tools/{name}.py`` as a module.

    The mmpose_ext tools take exactly MMPose 1.3.2's command-line arguments, so
    they reuse its ``parse_args`` and ``merge_args`` instead of copying them.
    """
    path = osp.join(osp.dirname(mmpose.__file__), '.mim', 'tools', f'{name}.py')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'MMPose tool {path} is missing; reinstall mmpose==1.3.2 from its '
            'wheel (make quickstart does this)')
    spec = importlib.util.spec_from_file_location(f'_mmpose_tool_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_config(path):
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'config file {path!r} does not exist (paths are relative to the '
            f'current directory {os.getcwd()!r})')
    return Config.fromfile(path)


def setup_cpu_distributed(cfg):
    """Make ``--launcher pytorch`` work without CUDA.

    MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally,
    but the Runner skips it when a process group already exists; so the gloo
    group is created here, and the model wrapper that accepts CPU modules is
    selected.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available():
        return
    import torch.distributed as dist
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(type='CPUAwareDistributedDataParallel')


def check_amp_device(cfg):
    """MMEngine's ``AmpOptimWrapper`` asserts a GPU deep inside the Runner;
    say so up front with the fix."""
    wrapper = cfg.get('optim_wrapper', {}).get('type', 'OptimWrapper')
    if wrapper in ('AmpOptimWrapper', 'mmengine.AmpOptimWrapper') \
            and not torch.cuda.is_available():
        raise RuntimeError(
            'mixed-precision training (--amp, optim_wrapper.type='
            "'AmpOptimWrapper') needs a CUDA GPU with MMEngine 0.10.7 and "
            'this machine has none; train without --amp on CPU')
