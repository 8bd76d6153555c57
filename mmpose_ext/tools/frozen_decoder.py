"""Train TFPose decoders on the cached memory of a frozen, trained encoder.

    python -m mmpose_ext.tools.frozen_decoder CONFIG --checkpoint CKPT \\
        --seed K --work-dir WD [--data-root DIR]

Decoder claims of the paper (q2q self-attention helps; accuracy saturates at
about N_D = 4 layers) are too slow and too noisy to decide by training whole
models on a CPU. Here the backbone, neck and deformable encoder of CONFIG
take their weights from CKPT (a trained TFPose), run once over the train and
val crops, and their memory is cached in ``WD/../memory_cache_<hash>.pt``;
only a decoder then trains, a few tens of ms a step. The decoder is the one
CONFIG describes (``model.head.num_decoder_layers``, ``with_q2q``, ...),
built from its own initialization under ``--seed`` (the checkpoint's decoder
weights are never loaded), so arms that differ only in the decoder share the
same frozen memory and, with the same seed, the same batches.

Crops are made without augmentation: both splits go through the config's
val pipeline (GetBBoxCenterScale, TopdownAffine, PackPoseInputs), the val
split with ground-truth boxes. The optional top-level config dict
``frozen_decoder = dict(iters=2000, batch_size=32, lr=3e-4, eval_every=500)``
sets the training length and recipe.

``WD/result.json``::

    {"evaluations": [{"iter", "mean_error_px", "pck@0.05",
                      "error_visible_px", "error_occluded_px",
                      "error_out_of_crop_px", "layer_errors_px"}, ...],
     "final": {the last evaluation without "iter" and "layer_errors_px"},
     "final_losses": {"loss": mean training loss since the last evaluation},
     "iterations": iters,
     "train_s": seconds of the training loop, its evaluations included
                (the caching excluded)}

Metrics (last decoder layer, on the val crops, distances in input-crop
pixels): ``mean_error_px``, the mean Euclidean error over the keypoints
that are labelled (v > 0) and inside the crop (``0 <= x <= w - 1``,
``0 <= y <= h - 1``, the rule of the training targets, MMPose's
``RegressionLabel``); ``pck@0.05``, the fraction of those with an error
below ``0.05 * max(w, h)`` pixels; ``error_visible_px`` /
``error_occluded_px``, the mean error over those with v = 2 / v = 1;
``error_out_of_crop_px``, the mean error over labelled keypoints outside the
crop (not in the other metrics; ``null`` when there are none);
``layer_errors_px``, ``mean_error_px`` of every decoder layer. A metric
with no keypoint to average over is ``null``.
"""
import argparse
import hashlib
import json
import math
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from torch import Tensor, nn

from mmpose_ext.checkpoints import (CheckpointMismatchError, safe_torch_load,
                                    state_dict_mismatches, state_dict_of)
from mmpose_ext.models.heads import TFPoseHead
from mmpose_ext.models.layers import TFPoseDecoder

__all__ = [
    'DEFAULT_SETTINGS', 'FROZEN_PREFIXES', 'build_decoder',
    'build_frozen_parts', 'cache_memory', 'cache_path', 'evaluate',
    'keypoint_metrics', 'layer_averaged_l1', 'main', 'train_decoder'
]

# Defaults of the config's top-level ``frozen_decoder`` dict. lr: only the
# decoder trains, on fixed memory, at batch 32; Deformable DETR trains its
# transformer with AdamW at 2e-4 for batch 32, and the quickstart's 3e-3
# (batch 8) is for a whole network from scratch in a short run, with warm-up.
# 3e-4 is within a factor of 1.5 of the former; it is not tuned here:
# sweep it on one arm before the paired runs.
DEFAULT_SETTINGS = dict(iters=2000, batch_size=32, lr=3e-4, eval_every=500)
# The state-dict keys of the frozen parts (the head's sine positional
# encoding has no weights); everything else of the checkpoint is ignored.
FROZEN_PREFIXES = ('backbone.', 'neck.', 'head.level_embed',
                   'head.encoder.')
# Head arguments that only shape the decoder or the training losses: left
# out of the cache key so that arms differing in them share one cache.
_DECODER_ONLY_HEAD_KEYS = ('num_decoder_layers', 'with_q2q',
                           'detach_refinement', 'initial_coords', 'loss',
                           'aux_head', 'decoder')
# Bumped whenever the content of the cache file changes.
_CACHE_FORMAT = 1
# Crops per forward pass while the memory is cached.
_CACHE_BATCH = 32
# PCK threshold as a fraction of the crop's longer side.
_PCK_FRACTION = 0.05
# AdamW's weight decay, the quickstart recipe's.
_WEIGHT_DECAY = 1e-4


# ---------------------------------------------------------------- model

def build_frozen_parts(cfg: Config, checkpoint: str) -> nn.Module:
    """The pose estimator of ``cfg`` with the backbone, neck, level
    embedding and encoder of ``checkpoint``, in eval mode, without
    gradients.

    The checkpoint is read weights-only (:func:`safe_torch_load`); only the
    keys under :data:`FROZEN_PREFIXES` are loaded and they must fit exactly.
    The estimator's own query decoder keeps its random weights and is not
    used: the decoder being trained comes from :func:`build_decoder`.

    Raises:
        ValueError: the config's head is not a ``TFPoseHead``.
        CheckpointMismatchError: the frozen parts of the checkpoint do not
            fit the model of ``cfg`` (another architecture).
    """
    from mmpose.registry import MODELS
    model = MODELS.build(cfg.model)
    if not isinstance(getattr(model, 'head', None), TFPoseHead):
        raise ValueError(
            'frozen_decoder trains TFPose decoders, but the config\'s head '
            f'is {type(getattr(model, "head", None)).__name__}; pass a TFPose '
            'config (model.head.type=\'TFPoseHead\')')
    weights = {
        key: value
        for key, value in state_dict_of(safe_torch_load(checkpoint)).items()
        if key.startswith(FROZEN_PREFIXES)
    }
    own = {
        key: value
        for key, value in model.state_dict().items()
        if key.startswith(FROZEN_PREFIXES)
    }
    missing, unexpected, shapes = state_dict_mismatches(own, weights)
    if missing or unexpected or shapes:
        raise CheckpointMismatchError(
            checkpoint, missing, unexpected, shapes,
            subject='the backbone, neck and encoder of the config',
            hint='Pass the checkpoint of a TFPose trained with this config\'s '
            'backbone, neck and encoder (only the decoder may differ).')
    model.load_state_dict(weights, strict=False)
    model.eval()
    model.requires_grad_(False)
    return model


def build_decoder(cfg: Config, seed: int) -> TFPoseDecoder:
    """A fresh decoder as ``cfg.model.head`` describes it, initialized under
    ``torch.manual_seed(seed)``.

    The whole head is built (and its encoder and auxiliary branch dropped)
    so that the decoder gets exactly the arguments and CPU sampling the
    head gives it in training; the same seed and config give the same
    weights.
    """
    from mmpose.registry import MODELS
    torch.manual_seed(seed)
    head = MODELS.build(cfg.model.head)
    return head.query_decoder


# ---------------------------------------------------------------- cache

def _pack_pipeline(pipeline: Sequence[dict]) -> List[dict]:
    """``pipeline`` whose ``PackPoseInputs`` also packs the keypoints in
    input-crop pixels (``gt_instances.transformed_keypoints``)."""
    packed = [dict(step) for step in pipeline]
    packers = [s for s in packed if s['type'] in ('PackPoseInputs',
                                                   'mmpose.PackPoseInputs')]
    if len(packers) != 1:
        raise ValueError(
            'frozen_decoder needs a val pipeline ending in one '
            f'PackPoseInputs, got steps {[s["type"] for s in packed]}')
    packers[0]['pack_transformed'] = True
    return packed


def _crop_datasets(cfg: Config) -> Dict[str, dict]:
    """Dataset configs of the cached crops: the train annotations and the
    val annotations with ground-truth boxes, both through the val pipeline
    (no augmentation)."""
    pipeline = _pack_pipeline(cfg.val_dataloader.dataset.pipeline)
    train = cfg.train_dataloader.dataset.to_dict()
    val = cfg.val_dataloader.dataset.to_dict()
    if train['type'] not in ('CocoDataset', 'mmpose.CocoDataset') or \
            val['type'] not in ('CocoDataset', 'mmpose.CocoDataset'):
        raise ValueError(
            'frozen_decoder reads COCO-format keypoint sets (their '
            'annotations hold the visibility flag v); the config\'s datasets '
            f'are {train["type"]} and {val["type"]}')
    train.update(pipeline=pipeline, data_mode='topdown')
    val.update(
        pipeline=pipeline, data_mode='topdown', bbox_file=None,
        test_mode=True)
    return dict(train=train, val=val)


def cache_path(cfg: Config, checkpoint: str, work_dir: str,
               cache_dir: Optional[str] = None) -> str:
    """``<cache_dir>/memory_cache_<hash>.pt`` (``cache_dir`` defaults to
    ``work_dir``'s parent folder): the hash covers what the
    cached memory depends on: the checkpoint (path, size, modification
    time), the model without its decoder-only head arguments, and the crop
    datasets (files and pipeline)."""
    head = {
        key: value
        for key, value in cfg.model.head.to_dict().items()
        if key not in _DECODER_ONLY_HEAD_KEYS
    }
    model = {
        key: value
        for key, value in cfg.model.to_dict().items()
        if key not in ('head', 'train_cfg', 'test_cfg')
    }
    stat = os.stat(checkpoint)
    key = dict(
        format=_CACHE_FORMAT,
        checkpoint=[osp.abspath(checkpoint), stat.st_size, stat.st_mtime_ns],
        model=model,
        head=head,
        datasets=_crop_datasets(cfg))
    digest = hashlib.sha256(
        json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()
    parent = cache_dir or osp.dirname(osp.abspath(work_dir.rstrip('/')))
    return osp.join(parent, f'memory_cache_{digest[:16]}.pt')


def _crop_labels(data_samples, input_size: Tensor) -> Dict[str, Tensor]:
    """Targets, weights, visibility and outside flags of one batch of crops
    (one person per sample), see :func:`cache_memory`."""
    keypoints, flags = [], []
    for sample in data_samples:
        raw = sample.metainfo.get('raw_ann_info')
        if not raw or 'keypoints' not in raw:
            raise ValueError(
                f'crop {sample.metainfo.get("img_path")} has no raw '
                'annotation: frozen_decoder needs ground-truth instances '
                '(the visibility flag v); do not use detected boxes')
        # (1, K, 2) keypoints in input-crop pixels
        keypoints.append(
            torch.as_tensor(sample.gt_instances.transformed_keypoints,
                            dtype=torch.float32)[0, :, :2])
        flags.append(torch.as_tensor(raw['keypoints'][2::3],
                                     dtype=torch.uint8))
    pixels = torch.stack(keypoints)  # (B, K, 2)
    visibility = torch.stack(flags)  # (B, K)
    w, h = input_size.tolist()
    inside = ((pixels >= 0) & (pixels <= pixels.new_tensor(
        [w - 1, h - 1]))).all(-1)  # (B, K)
    return dict(
        targets=pixels / input_size.to(pixels),
        weights=((visibility > 0) & inside).float(),
        visibility=visibility,
        outside=~inside)


@torch.no_grad()
def _encode_split(model: nn.Module, dataset_cfg: dict,
                  log: Callable[[str], None]) -> Dict[str, Tensor]:
    from mmpose.registry import DATASETS
    dataset = DATASETS.build(dataset_cfg)
    if len(dataset) == 0:
        raise ValueError(
            f'the dataset {dataset_cfg.get("ann_file")} under '
            f'{dataset_cfg.get("data_root")} has no person instances')
    parts: Dict[str, List[Tensor]] = {}
    shapes = None
    for start in range(0, len(dataset), _CACHE_BATCH):
        batch = pseudo_collate([
            dataset[i]
            for i in range(start, min(start + _CACHE_BATCH, len(dataset)))
        ])
        data = model.data_preprocessor(batch, False)
        feats = model.extract_feat(data['inputs'])
        memory, spatial_shapes, level_start_index, _ = model.head.encode(
            feats)
        input_size = torch.as_tensor(
            data['data_samples'][0].metainfo['input_size'],
            dtype=torch.float32)  # (w, h)
        labels = _crop_labels(data['data_samples'], input_size)
        labels['memory'] = memory.float().contiguous()
        for name, value in labels.items():
            parts.setdefault(name, []).append(value)
        shapes = (spatial_shapes, level_start_index, input_size)
        log(f'  cached {min(start + _CACHE_BATCH, len(dataset))}/'
            f'{len(dataset)} crops')
    split = {name: torch.cat(values) for name, values in parts.items()}
    split['spatial_shapes'], split['level_start_index'], \
        split['input_size'] = shapes
    return split


def cache_memory(model: nn.Module,
                 cfg: Config,
                 path: str,
                 log: Callable[[str], None] = print) -> Dict:
    """The encoder memory and labels of every train and val crop, computed
    once with the frozen ``model`` and saved to ``path``; read back from
    ``path`` when it exists.

    Returns:
        dict: ``train`` and ``val``, each with
        - memory (Tensor): (M, N, C) float32, the encoder output;
        - targets (Tensor): (M, K, 2) keypoints in input-crop pixels divided
          by the input size (w, h): normalized, [0, 1) inside the crop;
        - weights (Tensor): (M, K) 1 for a labelled keypoint (v > 0) inside
          the crop, else 0;
        - visibility (Tensor): (M, K) uint8, COCO's v (0 unlabelled, 1
          occluded, 2 visible);
        - outside (Tensor): (M, K) bool, the keypoint is outside the crop;
        - spatial_shapes (Tensor): (L, 2), level_start_index (L,),
          input_size (2,) as (w, h) in pixels.
    """
    if osp.isfile(path):
        log(f'memory cache: reusing {path}')
        return torch.load(path, map_location='cpu', weights_only=True)
    log(f'memory cache: encoding the train and val crops into {path}')
    cache = {
        split: _encode_split(model, dataset_cfg, log)
        for split, dataset_cfg in _crop_datasets(cfg).items()
    }
    os.makedirs(osp.dirname(path), exist_ok=True)
    # written under another name first: seeds run in parallel may read it
    partial = f'{path}.{os.getpid()}.tmp'
    torch.save(cache, partial)
    os.replace(partial, path)
    return cache


# ---------------------------------------------------------------- training

def layer_averaged_l1(coords: Tensor, targets: Tensor,
                      weights: Tensor) -> Tensor:
    """L1 loss of every decoder layer, averaged over the layers.

    A layer's loss is ``sum_bk w_bk * mean_xy |coords - targets| / sum_bk
    w_bk``, the mean absolute coordinate error over the weighted keypoints;
    the layers are averaged, not summed (as TFPoseHead's losses are), so that
    the decoder depth does not also scale the loss.

    Args:
        coords (Tensor): (N_D, B, K, 2) normalized predictions.
        targets (Tensor): (B, K, 2) normalized targets.
        weights (Tensor): (B, K) keypoint weights.

    Returns:
        Tensor: scalar.
    """
    # (N_D, B, K, 2) -> (N_D, B, K)
    error = (coords - targets).abs().mean(-1)
    per_layer = (error * weights).sum((1, 2)) / weights.sum().clamp(min=1e-6)
    return per_layer.mean()


def _mean_or_none(values: Tensor) -> Optional[float]:
    return float(values.mean()) if values.numel() else None


def keypoint_metrics(coords: Tensor, targets: Tensor, visibility: Tensor,
                     outside: Tensor, input_size: Tensor) -> Dict:
    """The evaluation metrics (module docstring) of predicted coordinates.

    Args:
        coords (Tensor): (N_D, M, K, 2) normalized predictions of every
            decoder layer; the last one is evaluated.
        targets (Tensor): (M, K, 2) normalized targets.
        visibility (Tensor): (M, K) COCO's v (0, 1 or 2).
        outside (Tensor): (M, K) bool, the keypoint is outside the crop.
        input_size (Tensor): (2,) the crop's (w, h) in pixels.

    Returns:
        dict: ``mean_error_px``, ``pck@0.05``, ``error_visible_px``,
        ``error_occluded_px``, ``error_out_of_crop_px``, ``layer_errors_px``.
    """
    size = input_size.to(coords)
    # (N_D, M, K): Euclidean distance in input-crop pixels
    errors = ((coords - targets) * size).norm(dim=-1)
    labelled = visibility > 0
    main = labelled & ~outside
    last = errors[-1]
    threshold = _PCK_FRACTION * float(size.max())
    return {
        'mean_error_px': _mean_or_none(last[main]),
        'pck@0.05': _mean_or_none((last[main] < threshold).float()),
        'error_visible_px': _mean_or_none(last[main & (visibility == 2)]),
        'error_occluded_px': _mean_or_none(last[main & (visibility == 1)]),
        'error_out_of_crop_px': _mean_or_none(last[labelled & outside]),
        'layer_errors_px': [_mean_or_none(layer[main]) for layer in errors],
    }


def _decode(decoder: TFPoseDecoder, memory: Tensor, split: Dict) -> Tensor:
    """(N_D, B, K, 2) coordinates of a batch of cached memory (B, N, C)."""
    valid_ratios = memory.new_ones(memory.size(0),
                                   split['spatial_shapes'].size(0), 2)
    return decoder(memory, split['spatial_shapes'],
                   split['level_start_index'], valid_ratios)


@torch.no_grad()
def evaluate(decoder: TFPoseDecoder, split: Dict,
             batch_size: int = _CACHE_BATCH) -> Dict:
    """:func:`keypoint_metrics` of ``decoder`` on every crop of a cached
    split (:func:`cache_memory`), in eval mode; the decoder's mode is
    restored afterwards."""
    was_training = decoder.training
    decoder.eval()
    coords = torch.cat([
        _decode(decoder, split['memory'][start:start + batch_size], split)
        for start in range(0, split['memory'].size(0), batch_size)
    ], dim=1)
    decoder.train(was_training)
    return keypoint_metrics(coords, split['targets'], split['visibility'],
                            split['outside'], split['input_size'])


def _batches(num_crops: int, batch_size: int,
             generator: torch.Generator):
    """Endless batches of crop indices: a fresh permutation per pass, the
    remainder of each pass dropped (so every batch is full)."""
    if num_crops < batch_size:
        raise ValueError(
            f'frozen_decoder: batch_size {batch_size} is larger than the '
            f'{num_crops} training crops; lower frozen_decoder.batch_size')
    while True:
        order = torch.randperm(num_crops, generator=generator)
        for start in range(0, num_crops - batch_size + 1, batch_size):
            yield order[start:start + batch_size]


def _lr_factor(step: int, iters: int) -> float:
    """Linear warm-up over the first 5 % of the iterations (at most 50, as
    in the quickstart recipe), then cosine decay to zero at ``iters``."""
    warmup = max(1, min(50, iters // 20))
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) /
                               max(1, iters - warmup)))


def train_decoder(decoder: TFPoseDecoder,
                  cache: Dict,
                  seed: int,
                  iters: int,
                  batch_size: int,
                  lr: float,
                  eval_every: int,
                  log: Callable[[str], None] = print) -> Dict:
    """Train ``decoder`` on the cached train memory and evaluate it on the
    cached val memory every ``eval_every`` iterations and at the end.

    AdamW (weight decay 1e-4) with ``lr`` after a short linear warm-up,
    cosine decay to zero; loss :func:`layer_averaged_l1`. The batches come
    from a ``torch.Generator`` seeded with ``seed``, so every arm run with
    the same seed sees the same crops in the same order. Only the decoder's
    parameters are optimized.

    Returns:
        dict: the content of ``result.json`` (module docstring).
    """
    for name, value in (('iters', iters), ('batch_size', batch_size),
                        ('eval_every', eval_every)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f'frozen_decoder.{name} must be a positive '
                             f'integer, got {value!r}')
    train, val = cache['train'], cache['val']
    generator = torch.Generator().manual_seed(seed)
    batches = _batches(train['memory'].size(0), batch_size, generator)
    optimizer = torch.optim.AdamW(
        decoder.parameters(), lr=lr, weight_decay=_WEIGHT_DECAY)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: _lr_factor(step, iters))
    decoder.train()
    evaluations, window = [], []
    start_time = time.perf_counter()
    for step in range(1, iters + 1):
        index = next(batches)
        coords = _decode(decoder, train['memory'][index], train)
        loss = layer_averaged_l1(coords, train['targets'][index],
                                 train['weights'][index])
        if not torch.isfinite(loss):
            raise FloatingPointError(
                f'frozen_decoder: the loss became {float(loss)} at iteration '
                f'{step}; lower frozen_decoder.lr (now {lr})')
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        window.append(loss.item())
        if step % eval_every == 0 or step == iters:
            metrics = evaluate(decoder, val)
            evaluations.append(dict(iter=step, **metrics))
            mean_loss = sum(window) / len(window)
            window = []
            log(f'iter {step}/{iters}  loss {mean_loss:.4f}  '
                f'error {_fmt(metrics["mean_error_px"])} px  '
                f'pck@0.05 {_fmt(metrics["pck@0.05"], 3)}  visible '
                f'{_fmt(metrics["error_visible_px"])} px  occluded '
                f'{_fmt(metrics["error_occluded_px"])} px  layers '
                f'{[_fmt(e) for e in metrics["layer_errors_px"]]}')
    train_s = time.perf_counter() - start_time
    final = {
        key: value
        for key, value in evaluations[-1].items()
        if key not in ('iter', 'layer_errors_px')
    }
    return dict(
        evaluations=evaluations,
        final=final,
        final_losses=dict(loss=mean_loss),
        iterations=iters,
        train_s=train_s)


def _fmt(value: Optional[float], digits: int = 2) -> str:
    return 'n/a' if value is None else f'{value:.{digits}f}'


# ---------------------------------------------------------------- command

def _settings(cfg: Config) -> Dict:
    given = dict(cfg.get('frozen_decoder', None) or {})
    unknown = sorted(set(given) - set(DEFAULT_SETTINGS))
    if unknown:
        raise ValueError(
            f'frozen_decoder: unknown setting(s) {unknown} in the config\'s '
            'frozen_decoder dict; the settings are '
            f'{sorted(DEFAULT_SETTINGS)}')
    return {**DEFAULT_SETTINGS, **given}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train a TFPose decoder on the cached memory of the '
        'frozen backbone, neck and encoder of a trained checkpoint.')
    parser.add_argument('config', help='TFPose config: its decoder is trained')
    parser.add_argument(
        '--checkpoint', required=True,
        help='trained TFPose checkpoint (backbone, neck and encoder)')
    parser.add_argument('--seed', type=int, required=True,
                        help='seed of the decoder initialization and of the '
                        'batch order')
    parser.add_argument('--work-dir', required=True,
                        help='writes result.json; the memory cache goes to '
                        'its parent folder unless --cache-dir says')
    parser.add_argument('--cache-dir', default=None,
                        help='folder of the memory caches (arms of several '
                        'experiments share one)')
    parser.add_argument(
        '--data-root',
        help='root of the synthetic set (sets MMPOSE_EXT_SYNTHETIC, which '
        'configs/_base_/data/synthetic.py reads)')
    return parser.parse_args(argv)


def main(argv=None) -> Dict:
    """Run the command; returns what it wrote to ``result.json``."""
    args = parse_args(argv)
    if args.data_root:
        # read by the synthetic data base config when it is loaded
        os.environ['MMPOSE_EXT_SYNTHETIC'] = args.data_root.rstrip('/')
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file {args.config!r} does not exist')
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(
            f'checkpoint {args.checkpoint!r} does not exist')
    import mmpose_ext  # noqa: F401  (registers the package's modules)
    init_default_scope('mmpose')
    cfg = Config.fromfile(args.config)
    settings = _settings(cfg)

    model = build_frozen_parts(cfg, args.checkpoint)
    cache = cache_memory(model,
                         cfg, cache_path(cfg, args.checkpoint, args.work_dir,
                                    args.cache_dir))
    del model
    decoder = build_decoder(cfg, args.seed)
    print(f'training the decoder (N_D = {decoder.num_layers}, q2q '
          f'{decoder.layers[0].with_q2q}) on '
          f'{cache["train"]["memory"].size(0)} train crops, evaluating on '
          f'{cache["val"]["memory"].size(0)} val crops: {settings}',
          flush=True)
    result = train_decoder(
        decoder,
        cache,
        seed=args.seed,
        log=lambda line: print(line, flush=True),
        **settings)
    os.makedirs(args.work_dir, exist_ok=True)
    out = osp.join(args.work_dir, 'result.json')
    with open(out, 'w') as f:
        json.dump(result, f, indent=2)
    print(f'wrote {out}')
    return result


if __name__ == '__main__':
    main()
