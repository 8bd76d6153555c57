"""Building the benchmarked models offline: configs without pretrained
weights, in eval mode, wrapped to take an image tensor."""
import os.path as osp

import mmpose
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import nn

import mmpose_ext  # noqa: F401  (registers TFPose)

# MMPose's own SimpleBaseline-R50 config, from the installed package
SIMPLEBASELINE_R50 = osp.join(
    osp.dirname(mmpose.__file__), '.mim', 'configs', 'body_2d_keypoint',
    'topdown_heatmap', 'coco', 'td-hm_res50_8xb64-210e_coco-256x192.py')


class TensorForward(nn.Module):
    """``model._forward(images)``: backbone, neck and head forward, what
    inference runs (no flip test, no decoding, no auxiliary branch)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, images):
        return self.model._forward(images)


def build_model(config: str, **head_overrides) -> nn.Module:
    """Build ``config``'s model with random weights (no download).

    Args:
        config (str): Config path.
        **head_overrides: Replaced keys of ``model.head`` (and
            ``backbone_out_indices``/``neck_in_channels`` for the feature
            levels).

    Returns:
        nn.Module: :class:`TensorForward` around the model, in eval mode.
    """
    from mmpose.registry import MODELS
    cfg = Config.fromfile(config)
    init_default_scope('mmpose')
    cfg.model.backbone.init_cfg = None
    out_indices = head_overrides.pop('backbone_out_indices', None)
    in_channels = head_overrides.pop('neck_in_channels', None)
    if out_indices is not None:
        cfg.model.backbone.out_indices = out_indices
        cfg.model.neck.in_channels = in_channels
        cfg.model.head.num_feature_levels = len(out_indices)
    cfg.model.head.update(head_overrides)
    return TensorForward(MODELS.build(cfg.model)).eval()


def input_shape(config: str):
    """(h, w) of the config's input."""
    cfg = Config.fromfile(config)
    w, h = cfg.codec['input_size']
    return h, w
