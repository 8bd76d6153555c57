"""Weights-only checkpoint loading for runs started by MMPose's own tools."""
from mmengine.hooks import Hook

from mmpose.registry import HOOKS
from mmpose_ext.checkpoints import (install_weights_only_loader,
                                    uninstall_weights_only_loader,
                                    weights_only_loader_installed)


@HOOKS.register_module()
class WeightsOnlyLoaderHook(Hook):
    """Route the Runner's checkpoint loads through mmpose_ext's weights-only
    loader (:func:`~mmpose_ext.checkpoints.install_weights_only_loader`)
    for the length of the run.

    mmpose_ext's tools install the loader themselves; with MMPose's own
    ``tools/train.py`` / ``tools/test.py`` add
    ``custom_hooks = [dict(type='WeightsOnlyLoaderHook')]``. MMEngine 0.10.7's
    ``Runner.train()``, ``val()`` and ``test()`` call ``before_run`` before
    ``load_or_resume()`` reads ``load_from`` / ``--resume``, so the loader is
    in place for those loads; ``after_run`` gives MMEngine back its own
    loader if this hook installed it.
    """

    priority = 'VERY_HIGH'

    def __init__(self):
        self._installed_here = False

    def before_run(self, runner) -> None:
        if not weights_only_loader_installed():
            install_weights_only_loader()
            self._installed_here = True

    def after_run(self, runner) -> None:
        if self._installed_here:
            uninstall_weights_only_loader()
            self._installed_here = False
