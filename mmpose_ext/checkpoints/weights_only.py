"""Weights-only checkpoint loading with an explicit allowlist.

torch >= 2.6 unpickles checkpoints with ``weights_only=True``: only tensors,
containers and globals on an allowlist may be rebuilt, so a checkpoint cannot
run code when it is loaded. MMEngine 0.10.7 checkpoints need a few globals
beyond torch's defaults:

* numpy arrays and scalars in ``meta`` (e.g. the colours in
  ``meta.dataset_meta``): ``numpy._core.multiarray._reconstruct``,
  ``numpy.ndarray``, ``numpy.dtype``, the ``numpy.dtypes.*DType`` classes and
  ``numpy._core.multiarray.scalar`` (and their numpy 1.x names under
  ``numpy.core``);
* ``mmengine.logging.HistoryBuffer`` objects under ``message_hub``, whose
  statistics methods (``HistoryBuffer.mean`` ...) pickle protocol 2 writes as
  ``builtins.getattr(HistoryBuffer, 'mean')``.

``builtins.getattr`` itself is not allowlisted: a checkpoint that names it gets
:func:`_history_buffer_getattr`, which only looks up registered statistics
methods on ``HistoryBuffer`` and refuses anything else.

The allowlist is applied as a context (``torch.serialization.safe_globals``)
around this package's own loads, never process-wide: importing
:mod:`mmpose_ext` changes neither torch's nor MMEngine's behaviour. MMEngine's
own loads (``load_from``, ``--resume``, ``mmpose.apis.init_model``) read
through MMEngine's local-file loader, which :func:`install_weights_only_loader`
replaces with :func:`load_local_checkpoint` when asked to: mmpose_ext's tools
call it, and users of MMPose's own tools add the ``WeightsOnlyLoaderHook`` to
``custom_hooks``.
"""
import os.path as osp
import pickle
import re

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, load_from_local

__all__ = [
    'CheckpointRefusedError', 'SAFE_GLOBALS', 'install_weights_only_loader',
    'load_local_checkpoint', 'safe_torch_load',
    'uninstall_weights_only_loader', 'weights_only_loader_installed'
]


class CheckpointRefusedError(pickle.UnpicklingError):
    """A checkpoint asked for a global that is not on the allowlist."""


# HistoryBuffer fills its class-level ``_statistics_methods`` only when the
# first instance is made; these are the defaults it registers then.
_HISTORY_BUFFER_STATISTICS = ('min', 'max', 'current', 'mean')


def _history_buffer_getattr(obj, name):
    """Stand-in for ``builtins.getattr`` inside checkpoints.

    Only ``getattr(HistoryBuffer, <statistics method>)`` is answered; every
    other lookup would let a pickle reach arbitrary attributes (``__globals__``,
    ``__subclasses__`` ...) and is refused.
    """
    if obj is HistoryBuffer and isinstance(name, str) and (
            name in _HISTORY_BUFFER_STATISTICS
            or name in HistoryBuffer._statistics_methods):
        return getattr(HistoryBuffer, name)
    raise CheckpointRefusedError(
        f'the checkpoint calls getattr({obj!r}, {name!r}); only '
        'HistoryBuffer statistics methods may be looked up')


def _numpy_globals():
    """numpy globals an MMEngine checkpoint may hold, under both the numpy 2
    (``numpy._core``) and numpy 1 (``numpy.core``) module names."""
    multiarray = np._core.multiarray
    entries = [np.ndarray, np.dtype]
    for name in ('_reconstruct', 'scalar'):
        fn = getattr(multiarray, name)
        entries.append((fn, f'numpy._core.multiarray.{name}'))
        entries.append((fn, f'numpy.core.multiarray.{name}'))
    # The per-dtype classes (Float32DType, ...) that numpy 2 pickles dtypes by.
    for name in dir(np.dtypes):
        cls = getattr(np.dtypes, name)
        if isinstance(cls, type) and issubclass(cls, np.dtype):
            entries.append(cls)
    return entries


SAFE_GLOBALS = [
    *_numpy_globals(),
    HistoryBuffer,
    (_history_buffer_getattr, 'builtins.getattr'),
]

_UNSUPPORTED_GLOBAL = re.compile(r'Unsupported global: GLOBAL (\S+)')
_UNPICKLER_ERROR = re.compile(r'WeightsUnpickler error: (.*)', re.DOTALL)


def _refusal(filename, err):
    text = str(err)
    match = _UNSUPPORTED_GLOBAL.search(text)
    if match:
        what = f'its pickle asks for `{match.group(1)}`'
    else:
        match = _UNPICKLER_ERROR.search(text)
        reason = match.group(1).strip() if match else text
        what = f'the weights-only unpickler stopped ({reason})'
    return CheckpointRefusedError(
        f'Refused to load checkpoint {filename!r}: {what}, which is not on '
        "mmpose_ext's allowlist of checkpoint globals "
        '(mmpose_ext.checkpoints.SAFE_GLOBALS). A checkpoint that names '
        'other globals can run code when it is loaded. If you made this file '
        'yourself and trust it, load it in a separate Python session and save '
        'only its tensors (`torch.save({"state_dict": ckpt["state_dict"]}, '
        'path)`); do not switch weights-only loading off.')


def safe_torch_load(filename, map_location='cpu'):
    """``torch.load(filename, weights_only=True)`` with a clear refusal.

    Raises:
        FileNotFoundError: ``filename`` is not a file.
        CheckpointRefusedError: the file needs a global outside the allowlist.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename!r} does not exist')
    try:
        # the allowlist holds for this call only, not for the process
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise _refusal(filename, err) from err


def load_local_checkpoint(filename, map_location=None):
    """MMEngine's local-file checkpoint loader, weights-only, with a clear
    error message (signature of ``mmengine.runner.checkpoint.load_from_local``)."""
    return safe_torch_load(filename, map_location=map_location)


def weights_only_loader_installed() -> bool:
    """Whether MMEngine's local-file loads go through
    :func:`load_local_checkpoint`."""
    return CheckpointLoader._schemes.get('') is load_local_checkpoint


def install_weights_only_loader() -> None:
    """Route MMEngine's local-file checkpoint loads (``load_from``,
    ``--resume``, ``tools/test.py CKPT``, ``mmpose.apis.init_model``) through
    :func:`load_local_checkpoint`: weights-only with :data:`SAFE_GLOBALS`,
    and a clear refusal otherwise. Process-wide (MMEngine's scheme table is
    global), so only tools and hooks call it; idempotent. Undo it with
    :func:`uninstall_weights_only_loader`."""
    # MMEngine's scheme table is the only hook into its local loads.
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)


def uninstall_weights_only_loader() -> None:
    """Give MMEngine's local-file loads back to its own ``load_from_local``
    (which torch >= 2.6 runs weights-only without the allowlist, so MMEngine
    checkpoints holding numpy metadata are then refused by torch)."""
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)
