"""Check, before anything runs, that a multi-head model's heads fit its data.

A :class:`~mmpose_ext.models.pose_estimators.MultiHeadTopdownPoseEstimator`
routes every sample to the head named by its dataset. A config that names a
dataset with no head, a head that no training dataset feeds, a head whose
keypoint count is not the dataset's, or a dataset pipeline that encodes its
targets with another codec than its head decodes with, would fail late or,
worse, train silently wrong. This hook checks all four when training,
validation or testing starts, and raises ``ValueError`` naming the dataset.
"""
from typing import List, Tuple

import numpy as np
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpose.registry import HOOKS

__all__ = ['MultiDatasetHeadsHook', 'check_heads_fit_datasets',
           'sub_datasets']


def sub_datasets(dataset) -> List[Tuple[str, object]]:
    """``[(dataset_name, dataset)]`` of a ``CombinedDataset`` (its parts) or
    of a single dataset."""
    parts = getattr(dataset, 'datasets', None) or [dataset]
    return [(part.metainfo.get('dataset_name'), part) for part in parts]


def _pipeline_codec(dataset):
    """The codec of the dataset pipeline's ``GenerateTarget`` (None if
    there is none, e.g. a validation pipeline)."""
    pipeline = getattr(dataset, 'pipeline', None)
    for transform in getattr(pipeline, 'transforms', []) or []:
        encoder = getattr(transform, 'encoder', None)
        if encoder is not None and type(transform).__name__ == \
                'GenerateTarget':
            return encoder
    return None


def _codec_settings(codec) -> dict:
    """The codec's class and plain settings (numbers, strings, tuples), the
    things that define its targets."""
    out = {'type': type(codec).__name__}
    for key, value in sorted(vars(codec).items()):
        if key.startswith('_'):
            continue
        if isinstance(value, np.ndarray):
            value = tuple(value.tolist())
        if isinstance(value, list):
            value = tuple(value)
        if isinstance(value, (bool, int, float, str, tuple)):
            out[key] = value
    return out


def check_heads_fit_datasets(model, dataset, phase: str = 'train') -> None:
    """Raise ``ValueError`` naming the dataset when ``dataset`` (a
    ``CombinedDataset`` or a single dataset) and the heads of ``model`` do
    not fit.

    Checks: every dataset has a head; with ``phase='train'`` every head has
    a dataset; each dataset's keypoint count equals its head's; the codec
    that a training pipeline encodes targets with has the settings of its
    head's decoder.
    """
    from mmpose_ext.models.pose_estimators import head_num_keypoints
    if is_model_wrapper(model):
        model = model.module
    heads = getattr(model, 'heads', None)
    if heads is None:
        return
    known = ', '.join(map(repr, heads))
    where = f'{phase} data'
    parts = sub_datasets(dataset)
    names = [name for name, _ in parts]
    for i, (name, part) in enumerate(parts):
        what = f'{where}: dataset {name!r} ({type(part).__name__}, ' \
               f'datasets[{i}])'
        if names.count(name) > 1:
            raise ValueError(
                f'{what} appears {names.count(name)} times: each dataset '
                'needs its own dataset_name (metainfo) to pick its head')
        if name not in heads:
            raise ValueError(
                f'{what} has no head; the model\'s heads are {known}. Add '
                f'model.heads.{name}, or remove the dataset')
        head = heads[name]
        expected = head_num_keypoints(head)
        num = part.metainfo.get('num_keypoints')
        if expected is not None and num is not None and num != expected:
            raise ValueError(
                f'{what} has {num} keypoints but its head predicts '
                f'{expected} (model.heads.{name}.out_channels); make them '
                'equal')
        codec = _pipeline_codec(part)
        decoder = getattr(head, 'decoder', None)
        if codec is not None and decoder is not None:
            encoded, decoded = _codec_settings(codec), _codec_settings(
                decoder)
            if encoded != decoded:
                diff = sorted(k for k in set(encoded) | set(decoded)
                              if encoded.get(k) != decoded.get(k))
                raise ValueError(
                    f'{what} encodes its targets with another codec than '
                    f'its head decodes with (model.heads.{name}.decoder); '
                    'they differ in ' + ', '.join(
                        f'{k}: {encoded.get(k)!r} vs {decoded.get(k)!r}'
                        for k in diff) +
                    '. Use the same codec dict in the dataset\'s '
                    'GenerateTarget and in its head')
    if phase == 'train':
        orphans = [name for name in heads if name not in names]
        if orphans:
            raise ValueError(
                f'{where}: head(s) {", ".join(map(repr, orphans))} have no '
                f'dataset; the training datasets are '
                f'{", ".join(map(repr, names))}. Add a dataset whose '
                'metainfo dataset_name is the head\'s name, or remove the '
                'head')


@HOOKS.register_module()
class MultiDatasetHeadsHook(Hook):
    """Run :func:`check_heads_fit_datasets` on the training data before
    training and on the validation / test data before those loops."""

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        check_heads_fit_datasets(runner.model,
                                 runner.train_dataloader.dataset, 'train')

    def before_val(self, runner) -> None:
        check_heads_fit_datasets(runner.model, runner.val_dataloader.dataset,
                                 'val')

    def before_test(self, runner) -> None:
        check_heads_fit_datasets(runner.model,
                                 runner.test_dataloader.dataset, 'test')
