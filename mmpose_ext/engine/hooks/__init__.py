"""Training hooks (registered in mmpose.registry.HOOKS)."""
from .check_invalid_loss_term_hook import (CheckInvalidLossTermHook,
                                           invalid_loss_terms)
from .multi_dataset_heads_hook import (MultiDatasetHeadsHook,
                                       check_heads_fit_datasets)

__all__ = ['CheckInvalidLossTermHook', 'invalid_loss_terms',
           'MultiDatasetHeadsHook', 'check_heads_fit_datasets']
