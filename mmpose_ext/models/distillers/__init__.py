"""Knowledge-token and heatmap distillation (ViTPose Sec. 3.4)."""
from .heatmap_distiller import HeatmapDistillPoseEstimator
from .knowledge_tokens import (KnowledgeTokens, fit_tokens_to_width,
                               load_knowledge_tokens, save_knowledge_tokens)
from .token_teacher import KnowledgeTokenTeacher

__all__ = [
    'HeatmapDistillPoseEstimator', 'KnowledgeTokens', 'KnowledgeTokenTeacher',
    'fit_tokens_to_width', 'load_knowledge_tokens', 'save_knowledge_tokens'
]
