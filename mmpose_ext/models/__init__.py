"""Models (registered in mmpose.registry.MODELS)."""
from . import backbones, heads, layers, losses, necks  # noqa: F401
