"""Training hooks (registered in mmpose.registry.HOOKS)."""
from .check_invalid_loss_term_hook import (CheckInvalidLossTermHook,
                                           invalid_loss_terms)
from .checkpoint_fit_hook import CheckpointFitHook
from .knowledge_token_fit_hook import KnowledgeTokenFitHook
from .mae_reconstruction_hook import MAEReconstructionHook
from .multi_dataset_heads_hook import (MultiDatasetHeadsHook,
                                       check_heads_fit_datasets)
from .train_progress_hook import TrainProgressHook, format_progress
from .weights_only_loader_hook import WeightsOnlyLoaderHook

__all__ = [
    'CheckInvalidLossTermHook', 'CheckpointFitHook', 'invalid_loss_terms',
    'KnowledgeTokenFitHook',
    'MAEReconstructionHook', 'MultiDatasetHeadsHook',
    'check_heads_fit_datasets', 'TrainProgressHook', 'format_progress',
    'WeightsOnlyLoaderHook'
]
