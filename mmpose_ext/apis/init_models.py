"""Building the two models of top-down inference from config and checkpoint.

Thin layers over MMPose's :func:`mmpose.apis.init_model` and MMDetection's
:func:`mmdet.apis.init_detector` that add what those leave to the user: the
config is checked to describe the right kind of model before anything is
built, and the checkpoint must match the model exactly
(:func:`~mmpose_ext.checkpoints.load_checkpoint_strict`).
"""
import os.path as osp
from typing import Optional, Union

import torch.nn as nn
from mmengine.config import Config

from mmpose_ext.checkpoints import load_checkpoint_strict

__all__ = ['ModelConfigError', 'init_person_detector', 'init_pose_model']


class ModelConfigError(ValueError):
    """A config file is missing, unreadable or describes another kind of
    model than the one asked for."""


def _load_config(config: Union[str, Config], role: str) -> Config:
    if isinstance(config, Config):
        return config
    if not osp.isfile(config):
        raise ModelConfigError(f'{role} config {config!r} does not exist')
    try:
        return Config.fromfile(config)
    except (SyntaxError, NameError, ValueError, KeyError, ImportError,
            OSError, UnicodeDecodeError) as err:
        raise ModelConfigError(
            f'{role} config {config!r} could not be read as an MMEngine '
            f'config: {type(err).__name__}: {err}') from err


def _model_class(cfg: Config, registry, role: str, path: str):
    """The class ``cfg.model.type`` names in ``registry``, or ``None``."""
    model_cfg = cfg.get('model')
    if not isinstance(model_cfg, dict) or 'type' not in model_cfg:
        raise ModelConfigError(
            f'{role} config {path!r} has no `model=dict(type=...)`')
    model_type = model_cfg['type']
    if isinstance(model_type, type):
        return model_type
    return registry.get(model_type)


def init_pose_model(config: Union[str, Config],
                    checkpoint: Optional[str] = None,
                    device: str = 'cpu') -> nn.Module:
    """A top-down pose estimator (MMPose or mmpose_ext config) in eval mode.

    Args:
        config (str | Config): the pose model's config.
        checkpoint (str, optional): its weights; ``None`` keeps the random
            initialisation (for tests).
        device (str): e.g. ``'cpu'`` or ``'cuda:0'``.

    Returns:
        nn.Module: the model, with ``cfg`` and ``dataset_meta`` set as
        :func:`mmpose.apis.init_model` does (the checkpoint's dataset meta
        first, else the config's).

    Raises:
        ModelConfigError: the config is not a top-down pose model's.
        CheckpointMismatchError: the checkpoint does not fit the model.
    """
    from mmengine.registry import init_default_scope
    from mmpose.apis import init_model
    from mmpose.models import TopdownPoseEstimator
    from mmpose.registry import MODELS

    path = config if isinstance(config, str) else '<Config>'
    cfg = _load_config(config, 'pose model')
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    cls = _model_class(cfg, MODELS, 'pose model', path)
    if cls is None or not issubclass(cls, TopdownPoseEstimator):
        raise ModelConfigError(
            f'pose model config {path!r} builds model.type='
            f'{cfg.model["type"]!r}, which is not an MMPose top-down pose '
            'estimator (TopdownPoseEstimator or a subclass); pass an MMPose '
            'or mmpose_ext top-down config, e.g. configs/simplebaseline/'
            'td-hm_res18_coco-tiny-128x96.py')
    if not cfg.get('test_dataloader'):
        raise ModelConfigError(
            f'pose model config {path!r} has no test_dataloader: its '
            'dataset.pipeline is the inference pipeline (LoadImage, '
            'GetBBoxCenterScale, TopdownAffine, PackPoseInputs)')
    # init_weights is never called, so nothing is downloaded for a backbone
    # with init_cfg=dict(type='Pretrained', ...).
    model = init_model(cfg, None, device=device)
    if checkpoint is not None:
        ckpt = load_checkpoint_strict(model, checkpoint)
        meta = ckpt.get('meta', {})
        if 'dataset_meta' in meta:
            model.dataset_meta = meta['dataset_meta']
    return model


def init_person_detector(config: Union[str, Config],
                         checkpoint: Optional[str] = None,
                         device: str = 'cpu') -> nn.Module:
    """An MMDetection 3.x detector in eval mode, ready for
    :func:`mmdet.apis.inference_detector` next to a pose model.

    Args:
        config (str | Config): the detector's config (e.g. one of the configs
            shipped in ``mmdet/.mim/configs``).
        checkpoint (str, optional): its weights; ``None`` keeps the random
            initialisation (for tests).
        device (str): e.g. ``'cpu'`` or ``'cuda:0'``.

    Returns:
        nn.Module: the detector; its ``cfg`` test pipeline names MMDetection's
        transforms with the ``mmdet.`` scope (MMPose's
        :func:`~mmpose.utils.adapt_mmdet_pipeline`) so that it runs while
        MMPose is the default scope; ``dataset_meta`` comes from the
        checkpoint when it has one.

    Raises:
        ModelConfigError: the config is not an MMDetection detector's.
        CheckpointMismatchError: the checkpoint does not fit the detector.
    """
    from mmdet.apis import init_detector
    from mmdet.models.detectors import BaseDetector
    from mmdet.registry import MODELS
    from mmengine.registry import DefaultScope
    from mmpose.utils import adapt_mmdet_pipeline

    path = config if isinstance(config, str) else '<Config>'
    cfg = _load_config(config, 'detector')
    with DefaultScope.overwrite_default_scope('mmdet'):
        cls = _model_class(cfg, MODELS, 'detector', path)
    if cls is None or not issubclass(cls, BaseDetector):
        raise ModelConfigError(
            f'detector config {path!r} builds model.type='
            f'{cfg.model["type"]!r}, which is not an MMDetection detector '
            '(a subclass of mmdet BaseDetector); pass an MMDetection 3.x '
            'config, e.g. mmdet/.mim/configs/rtmdet/'
            'rtmdet_tiny_8xb32-300e_coco.py')
    if not cfg.get('test_dataloader'):
        raise ModelConfigError(
            f'detector config {path!r} has no test_dataloader: MMDetection '
            'takes the inference pipeline from test_dataloader.dataset')
    # cfg_options={} keeps init_detector from touching model.backbone, which
    # not every detector has; weights are loaded strictly below.
    detector = init_detector(cfg, None, device=device, cfg_options={})
    if checkpoint is not None:
        ckpt = load_checkpoint_strict(detector, checkpoint)
        meta = ckpt.get('meta', {})
        if 'dataset_meta' in meta:
            detector.dataset_meta = {
                k.lower(): v
                for k, v in meta['dataset_meta'].items()
            }
    detector.cfg = adapt_mmdet_pipeline(detector.cfg)
    return detector
