"""mmpose_ext: TFPose, SimDR, DARK/UDP and ViTPose for MMPose 1.x.

Importing the package registers every module into MMPose's registries
(``custom_imports = dict(imports=['mmpose_ext'], allow_failed_imports=False)``
in a config does this) and the weights-only checkpoint allowlist.
"""
from . import codecs, engine, models, visualization  # noqa: F401
from .engine.checkpoint import register_checkpoint_allowlist
from .version import __version__  # noqa: F401

register_checkpoint_allowlist()
