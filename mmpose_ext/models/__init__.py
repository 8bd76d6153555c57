"""Models (registered in mmpose.registry.MODELS)."""
from . import backbones, distillers, heads, layers, losses, necks, utils  # noqa: F401
