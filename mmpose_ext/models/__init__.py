"""Models (registered in mmpose.registry.MODELS)."""
from . import (backbones, distillers, heads, layers, losses,  # noqa: F401
               pose_estimators, pretrainers, utils)
