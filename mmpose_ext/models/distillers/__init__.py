"""Knowledge-token and heatmap distillation (ViTPose Sec. 3.4)."""
from .heatmap_distiller import HeatmapDistillPoseEstimator
from .knowledge_tokens import (KnowledgeTokens, fit_token_map,
                               load_knowledge_tokens, random_like_tokens,
                               read_token_file, save_knowledge_tokens,
                               teacher_patch_tokens)
from .token_teacher import KnowledgeTokenTeacher

__all__ = [
    'HeatmapDistillPoseEstimator', 'KnowledgeTokens', 'KnowledgeTokenTeacher',
    'fit_token_map', 'load_knowledge_tokens', 'random_like_tokens',
    'read_token_file', 'save_knowledge_tokens', 'teacher_patch_tokens'
]
