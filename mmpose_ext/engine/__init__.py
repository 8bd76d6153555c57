from .checkpoint import (SAFE_GLOBALS, CheckpointRefusedError,
                         load_local_checkpoint, register_checkpoint_allowlist,
                         safe_torch_load)
from .hooks import CheckInvalidLossTermHook
from .model_wrappers import CPUAwareDistributedDataParallel

__all__ = [
    'SAFE_GLOBALS', 'CheckpointRefusedError', 'load_local_checkpoint',
    'register_checkpoint_allowlist', 'safe_torch_load',
    'CPUAwareDistributedDataParallel', 'CheckInvalidLossTermHook'
]
