"""What mmpose_ext's train and test tools take from the MMPose host and add
to it: MMPose's own argument handling (its tool scripts, loaded as modules),
weights-only checkpoint loading and the checkpoint fit check, CPU
distributed set-up and the AMP device check."""
import importlib.util
import os
import os.path as osp

import torch
from mmengine.config import Config

import mmpose
import mmpose_ext  # noqa: F401  (registers the modules)
from mmpose_ext.checkpoints import install_weights_only_loader


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


def setup_checkpoint_loading(cfg):
    """Make the Runner's checkpoint loads safe and strict.

    MMEngine's local loads (``load_from``, ``--resume``, ``--checkpoint``)
    are routed through mmpose_ext's weights-only loader (for this process),
    and a :class:`~mmpose_ext.engine.hooks.CheckpointFitHook` is added to
    ``custom_hooks`` (unless the config has one) that refuses a checkpoint
    whose weights do not fit the model. The config's top-level
    ``allow_partial_checkpoint=True`` (``--cfg-options
    allow_partial_checkpoint=True``) loads only what fits instead.
    """
    install_weights_only_loader()
    allow_partial = cfg.get('allow_partial_checkpoint', False)
    if not isinstance(allow_partial, bool):
        raise ValueError(
            'allow_partial_checkpoint must be True or False, got '
            f'{allow_partial!r}')
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(hook.get('type') in ('CheckpointFitHook',
                                     'mmpose.CheckpointFitHook')
               for hook in hooks):
        hooks.append(
            dict(type='CheckpointFitHook', allow_partial=allow_partial))
    cfg.custom_hooks = hooks


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
