from .hooks import (CheckInvalidLossTermHook, CheckpointFitHook,
                    WeightsOnlyLoaderHook)
from .model_wrappers import CPUAwareDistributedDataParallel

__all__ = [
    'CPUAwareDistributedDataParallel', 'CheckInvalidLossTermHook',
    'CheckpointFitHook', 'WeightsOnlyLoaderHook'
]
