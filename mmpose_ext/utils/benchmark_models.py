"""Models of configs as the benchmarks and the FLOP counts see them: random
weights (nothing downloaded), eval mode, one image tensor in, the inference
graph's raw outputs out; and, for the training-step benchmarks,
:func:`build_for_training`: a config's model in training mode with one real
batch of its training set.

A tracing counter (MMEngine's ``FlopAnalyzer``) and a timing loop both want a
module whose ``forward`` takes one tensor; a pose estimator's ``forward``
takes data samples and a mode. :class:`TensorForward` runs
``model._forward(images)``: backbone, neck and head forward, what inference
runs, without flip test, decoding or the training-only auxiliary branch.

The models of mmpose_ext's configs are in MMPose's registry once mmpose_ext
is imported, which importing this module does: Python runs
``mmpose_ext/__init__.py`` before any of its submodules.
"""
import os.path as osp
from typing import Optional, Tuple

import mmpose
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpose.registry import MODELS
from torch import Tensor, nn

__all__ = ['SIMPLEBASELINE_R50', 'TensorForward', 'build_model',
           'build_for_training', 'input_shape']

#: MMPose's own SimpleBaseline-R50 config (COCO, 256x192), from the installed
#: package: the host's reference top-down model.
SIMPLEBASELINE_R50 = osp.join(
    osp.dirname(mmpose.__file__), '.mim', 'configs', 'body_2d_keypoint',
    'topdown_heatmap', 'coco', 'td-hm_res50_8xb64-210e_coco-256x192.py')


class TensorForward(nn.Module):
    """``model._forward(images)`` as a module of one tensor argument.

    Args:
        model (nn.Module): A pose estimator (MMPose's ``BasePoseEstimator``
            interface: ``_forward(inputs)``).

    Note:
        The input is ``images`` (B, 3, H, W), normalized as the data
        preprocessor leaves them; the output is what the estimator's
        ``_forward`` returns (the head's raw outputs, e.g. heatmaps
        (B, K, H', W') or a tuple of tensors).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, images: Tensor):
        return self.model._forward(images)


def build_model(config: str, **head_overrides) -> TensorForward:
    """Build ``config``'s model with random weights (the backbone's
    ``init_cfg`` is dropped, so no pretrained weights are downloaded).

    Args:
        config (str): Config path.
        **head_overrides: Keys of ``model.head`` to replace, plus two that
            change the feature levels of a model with a neck:
            ``backbone_out_indices`` (the backbone's ``out_indices``; also
            sets the head's ``num_feature_levels``) and ``neck_in_channels``
            (the neck's ``in_channels``, one per level), given together.

    Returns:
        TensorForward: Around the model, in eval mode.
    """
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    out_indices = head_overrides.pop('backbone_out_indices', None)
    in_channels = head_overrides.pop('neck_in_channels', None)
    if (out_indices is None) != (in_channels is None):
        raise ValueError(
            'build_model: backbone_out_indices and neck_in_channels go '
            f'together, got {out_indices!r} and {in_channels!r}')
    if out_indices is not None:
        cfg.model.backbone.out_indices = out_indices
        cfg.model.neck.in_channels = in_channels
        cfg.model.head.num_feature_levels = len(out_indices)
    cfg.model.head.update(head_overrides)
    # MMPose's scope for the nested builds (losses, codecs, MMCV bricks),
    # restored afterwards so that building a model changes no global state
    with DefaultScope.overwrite_default_scope('mmpose'):
        model = MODELS.build(cfg.model)
    return TensorForward(model).eval()


def build_for_training(config: str, cfg_options: Optional[dict] = None,
                       seed: int = 0):
    """``config``'s model as a training step sees it, with one real batch.

    Args:
        config (str): Config path.
        cfg_options (dict, optional): Dotted keys merged into the config
            first, as ``--cfg-options`` does (e.g.
            ``{'model.head.aux_head.deconv_kernel_sizes': (2, )}``).
        seed (int): Torch seed set before the model is built, so that two
            builds of one config start from the same weights.

    Returns:
        tuple: ``(model, cfg, batch)``: the model after ``init_weights``, in
        training mode; the config; the first batch of the config's training
        loader, unshuffled and loaded in this process (what ``train_step``
        takes).
    """
    from mmengine.runner import Runner
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    with DefaultScope.overwrite_default_scope('mmpose'):
        torch.manual_seed(seed)
        model = MODELS.build(cfg.model)
        model.init_weights()
        model.train()
        loader = cfg.train_dataloader.copy()
        loader.update(num_workers=0, persistent_workers=False)
        loader.sampler = dict(type='DefaultSampler', shuffle=False)
        batch = next(iter(Runner.build_dataloader(loader, seed=seed)))
    return model, cfg, batch


def input_shape(config: str) -> Tuple[int, int]:
    """``(h, w)``: the height and width of ``config``'s input images, from
    its codec's ``input_size``, which is ``(w, h)``."""
    w, h = Config.fromfile(config).codec['input_size']
    return h, w
