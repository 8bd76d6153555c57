"""Knowledge-token and heatmap distillation (ViTPose Sec. 3.4); the
knowledge tokens themselves are a backbone part
(:class:`mmpose_ext.models.layers.KnowledgeTokens`)."""
from .heatmap_distiller import HeatmapDistillPoseEstimator
from .token_teacher import KnowledgeTokenTeacher

__all__ = ['HeatmapDistillPoseEstimator', 'KnowledgeTokenTeacher']
