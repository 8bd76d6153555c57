"""Distributed data parallel on CPU (gloo) through MMEngine's Runner."""
from mmengine.model import MMDistributedDataParallel
# MMEngine's root registry, not mmpose's child: Runner.wrap_model looks the
# type up with ``MODEL_WRAPPERS.get``, which searches a registry and its
# parents but never its children.
from mmengine.registry import MODEL_WRAPPERS

__all__ = ['CPUAwareDistributedDataParallel']


@MODEL_WRAPPERS.register_module()
class CPUAwareDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that also wraps CPU modules.

    MMEngine's ``Runner.wrap_model`` always passes
    ``device_ids=[LOCAL_RANK]``, which ``DistributedDataParallel`` refuses for
    a module on the CPU. This wrapper drops ``device_ids`` (and
    ``output_device``) when the module's parameters live on the CPU and is
    otherwise ``MMDistributedDataParallel``. The mmpose_ext train tool selects
    it (``model_wrapper_cfg=dict(type='CPUAwareDistributedDataParallel')``)
    when it launches distributed training without CUDA.
    """

    def __init__(self, module, detect_anomalous_params=False, **kwargs):
        first = next(module.parameters(), None)
        if first is None or first.device.type == 'cpu':
            kwargs.pop('device_ids', None)
            kwargs.pop('output_device', None)
        super().__init__(
            module=module,
            detect_anomalous_params=detect_anomalous_params,
            **kwargs)
