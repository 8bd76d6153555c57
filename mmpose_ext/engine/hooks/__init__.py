"""Training hooks (registered in mmpose.registry.HOOKS)."""
from .check_invalid_loss_term_hook import (CheckInvalidLossTermHook,
                                           invalid_loss_terms)
from .knowledge_token_fit_hook import KnowledgeTokenFitHook
from .mae_reconstruction_hook import MAEReconstructionHook

__all__ = [
    'CheckInvalidLossTermHook', 'invalid_loss_terms', 'KnowledgeTokenFitHook',
    'MAEReconstructionHook'
]
