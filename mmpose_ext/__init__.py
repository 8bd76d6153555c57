"""mmpose_ext: TFPose, SimDR, DARK/UDP and ViTPose for MMPose 1.x.

Importing the package registers every module into MMPose's registries
(``custom_imports = dict(imports=['mmpose_ext'], allow_failed_imports=False)``
in a config does this) and nothing else: it changes no MMEngine or torch
behaviour. Weights-only loading of MMEngine checkpoints is switched on
explicitly (:func:`mmpose_ext.checkpoints.install_weights_only_loader`, which
mmpose_ext's tools call, or ``custom_hooks=[dict(type='WeightsOnlyLoaderHook')]``
with MMPose's own tools).

Floors: a subpackage imports only from its own floor and the floors below,
never from a floor above (``tests/test_import_floors.py`` checks every
import, including those inside functions)::

    0  version, utils, checkpoints, codecs,  (no other mmpose_ext code)
       ops, synthetic
    1  models
    2  visualization
    3  engine                                (runner hooks, model wrappers)
    4  apis, testing
    5  tools

so models never import hooks, hooks import models, and checkpoint code is
usable from every floor.
"""
from . import codecs, engine, models, visualization  # noqa: F401
from .version import __version__  # noqa: F401

