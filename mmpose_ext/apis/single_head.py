"""One head of a multi-dataset model as a plain single-dataset model.

A multi-dataset config (``model.type='MultiHeadTopdownPoseEstimator'``,
``CombinedDataset`` data, ``MultiDatasetEvaluator``) is turned into the config
of an ordinary MMPose ``TopdownPoseEstimator`` with one of its heads and that
dataset's own data, pipeline and metric (:func:`single_head_config`); the
weights follow with
``export_single_head_checkpoint``
(:mod:`mmpose_ext.checkpoints.multi_head`).
The pair is what MMPose's ``init_model``, ``inference_topdown``,
``MMPoseInferencer``, the demo and the ONNX export take.
"""
import copy
from typing import List, Optional, Tuple

from mmengine.config import Config, ConfigDict

__all__ = ['dataset_name_of', 'dataset_meta_of', 'head_dataset_meta',
           'single_head_config']


def dataset_meta_of(dataset_cfg: dict) -> dict:
    """The parsed keypoint metainfo (MMPose's ``parse_pose_metainfo``) of a
    dataset config: its ``metainfo`` if it sets one, else its class's
    ``METAINFO``."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.registry import DATASETS
    metainfo = dataset_cfg.get('metainfo')
    if metainfo is None:
        cls = DATASETS.get(dataset_cfg['type'])
        if cls is None:
            raise KeyError(f'dataset type {dataset_cfg["type"]!r} is not '
                           "registered in MMPose's DATASETS")
        metainfo = cls.METAINFO
    return parse_pose_metainfo(dict(metainfo))


def dataset_name_of(dataset_cfg: dict) -> str:
    """``dataset_name`` of a dataset config (what picks its head)."""
    return dataset_meta_of(dataset_cfg)['dataset_name']


def _parts(dataset_cfg: dict) -> List[dict]:
    if dataset_cfg.get('type') == 'CombinedDataset':
        return list(dataset_cfg['datasets'])
    return [dataset_cfg]


def _pick(dataset_cfg: dict, head: str, where: str) -> Tuple[int, dict]:
    parts = _parts(dataset_cfg)
    names = [dataset_name_of(p) for p in parts]
    if head not in names:
        raise KeyError(f'{where} has no dataset named {head!r}; its '
                       f'datasets: {", ".join(map(repr, names))}')
    i = names.index(head)
    return i, copy.deepcopy(parts[i])


def single_head_config(cfg: Config, head: str) -> Config:
    """The config of head ``head`` of the multi-head config ``cfg`` as a
    plain ``TopdownPoseEstimator`` on that dataset alone.

    The backbone, neck, data preprocessor, ``test_cfg`` (without ``head``)
    and the head's config are kept; the train/val/test dataloaders hold only
    the dataset named ``head`` (with its own pipeline, a ``DefaultSampler``)
    and the evaluators only its metric.

    Raises:
        KeyError: ``cfg.model.heads`` or the data have no ``head`` (the
            message lists the known names).
    """
    cfg = copy.deepcopy(cfg)
    model = cfg.model
    heads = model.get('heads')
    if heads is None:
        raise KeyError('not a multi-head config: model has no `heads`')
    if head not in heads:
        raise KeyError(f'no head {head!r} in model.heads; known heads: '
                       f'{", ".join(map(repr, heads))}')
    single = ConfigDict(type='TopdownPoseEstimator')
    for key in ('data_preprocessor', 'backbone', 'neck', 'train_cfg'):
        if model.get(key) is not None:
            single[key] = model[key]
    single['head'] = heads[head]
    test_cfg = dict(model.get('test_cfg') or {})
    test_cfg.pop('head', None)
    single['test_cfg'] = test_cfg
    cfg.model = single

    for loader, evaluator in (('train_dataloader', None),
                              ('val_dataloader', 'val_evaluator'),
                              ('test_dataloader', 'test_evaluator')):
        if not cfg.get(loader):
            continue
        _, part = _pick(cfg[loader]['dataset'], head, loader)
        cfg[loader]['dataset'] = part
        if cfg[loader].get('sampler', {}).get('type') == \
                'MultiSourceSampler':
            cfg[loader]['sampler'] = dict(type='DefaultSampler', shuffle=True)
        if evaluator and cfg.get(evaluator, {}).get('type') == \
                'MultiDatasetEvaluator':
            # its metrics are in the order of its own `datasets`
            index, _ = _pick(dict(type='CombinedDataset',
                                  datasets=cfg[evaluator]['datasets']),
                             head, evaluator)
            cfg[evaluator] = cfg[evaluator]['metrics'][index]
    # MMPoseInferencer reads these top-level names of MMPose's configs
    test_part = cfg.get('test_dataloader', cfg.get('val_dataloader'))
    if test_part:
        cfg.dataset_type = test_part['dataset']['type']
        cfg.data_mode = test_part['dataset'].get('data_mode', 'topdown')
    hooks = [h for h in cfg.get('custom_hooks', [])
             if h.get('type') != 'MultiDatasetHeadsHook']
    cfg.custom_hooks = hooks
    return cfg


def head_dataset_meta(cfg: Config, head: str) -> Optional[dict]:
    """Parsed metainfo of the dataset named ``head`` in ``cfg``'s test (or
    val, or train) data; None if none of them names it."""
    for loader in ('test_dataloader', 'val_dataloader', 'train_dataloader'):
        if cfg.get(loader):
            for part in _parts(cfg[loader]['dataset']):
                meta = dataset_meta_of(part)
                if meta['dataset_name'] == head:
                    return meta
    return None
