"""Early, explicit checks of the files a config's datasets point at.

MMPose finds a missing annotation file only when the dataset is built, deep in
the Runner, with an ``AssertionError``. The mmpose_ext tools check first and
say which config key is wrong and how to fix it.
"""
import os.path as osp

__all__ = ['check_dataset_files']


def _join(root, path):
    if not path or osp.isabs(path) or not root:
        return path
    return osp.join(root, path)


def _dataset_problems(ds, key):
    """Yield ``(config key, path, what)`` for each missing file of ``ds``."""
    if not isinstance(ds, dict):
        return
    for i, sub in enumerate(ds.get('datasets', None) or []):
        yield from _dataset_problems(sub, f'{key}.datasets[{i}]')
    if isinstance(ds.get('dataset'), dict):  # RepeatDataset and the like
        yield from _dataset_problems(ds['dataset'], f'{key}.dataset')
    root = ds.get('data_root', '')
    if root and not osp.isdir(root):
        yield f'{key}.data_root', root, 'data root directory'
        return
    ann = ds.get('ann_file')
    if ann and not osp.isfile(_join(root, ann)):
        yield f'{key}.ann_file', _join(root, ann), 'annotation file'
    img_dir = (ds.get('data_prefix') or {}).get('img')
    if img_dir and not osp.isdir(_join(root, img_dir)):
        yield f'{key}.data_prefix.img', _join(root, img_dir), 'image directory'
    bbox = ds.get('bbox_file')
    if bbox and not osp.isfile(bbox):
        yield f'{key}.bbox_file', bbox, 'person detection results file'


def check_dataset_files(cfg, splits):
    """Raise ``FileNotFoundError`` naming every missing data file.

    Args:
        cfg (Config): a full MMEngine config.
        splits (Sequence[str]): which dataloaders to check, e.g.
            ``('train', 'val')``; a split whose dataloader is ``None`` is
            skipped.
    """
    problems = []
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        problems += _dataset_problems(loader.get('dataset'),
                                      f'{split}_dataloader.dataset')
    if problems:
        lines = [f'  {key} = {path!r}: {what} not found'
                 for key, path, what in problems]
        raise FileNotFoundError(
            'the config points at data that does not exist:\n' +
            '\n'.join(lines) +
            '\nFix the path in the config or override it with --cfg-options '
            'KEY=VALUE (e.g. train_dataloader.dataset.data_root=DIR). COCO '
            'goes under data/coco in MMPose\'s layout; the synthetic set is '
            'made by `python -m mmpose_ext.synthetic --out DIR`.')
