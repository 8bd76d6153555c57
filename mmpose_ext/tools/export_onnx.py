"""Export a top-down pose model to ONNX and check it with onnxruntime.

    python -m mmpose_ext.tools.export_onnx CONFIG CHECKPOINT OUT.onnx [--check]

The graph maps person crops to the head's raw outputs:

* input ``input``: ``(B, 3, H, W)`` float32, the ``TopdownAffine`` crop as
  BGR pixel values in [0, 255] (``H, W`` = the codec's ``input_size``); the
  model's own normalisation (mean/std, BGR->RGB) is inside the graph;
* outputs: what ``model.head.forward`` returns, named after the head
  (:data:`OUTPUT_NAMES`; ``output_<i>`` otherwise), e.g. ``heatmaps (B, K,
  h, w)`` for heatmap heads, ``simcc_x (B, K, Wx)`` and ``simcc_y (B, K, Hy)``
  for SimCC heads, ``coords (B, K, 2)`` for regression heads.

Decoding stays outside the graph: the codec's ``decode`` (numpy, as MMPose's
heads call it) gives keypoints in crop pixels, and the inverse affine maps them
to the image; :class:`mmpose_ext.apis.onnx_topdown.OnnxTopdownEstimator` does
both. Flip test is not part of the graph.

The checkpoint must match the config (see
:func:`mmpose_ext.apis.load_checkpoint_strict`); ``none`` exports the random
initialisation (for tests). ``--check`` runs the exported file in onnxruntime
on a seeded random batch and fails if any output differs from PyTorch by more
than ``--atol`` (default 1e-4).
"""
import argparse
import os.path as osp
import sys
from typing import Dict, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn

__all__ = [
    'OUTPUT_NAMES', 'TopdownOnnxWrapper', 'compare_with_onnxruntime',
    'export_onnx'
]

# Names of the graph outputs by head class; one line per head type.
OUTPUT_NAMES: Dict[str, Tuple[str, ...]] = {
    'HeatmapHead': ('heatmaps', ),
    'SimCCHead': ('simcc_x', 'simcc_y'),
    'SimDRHead': ('simcc_x', 'simcc_y'),
    'RegressionHead': ('coords', ),
    'TFPoseHead': ('coords', ),
}


class TopdownOnnxWrapper(nn.Module):
    """A top-down pose estimator as crops -> raw head outputs.

    Args:
        pose_model (nn.Module): an MMPose top-down estimator (e.g. from
            :func:`mmpose_ext.apis.init_pose_model`), in eval mode.

    Forward takes ``crops (B, 3, H, W)`` float BGR in [0, 255] and returns the
    head's ``forward`` output (a tensor or a tuple of tensors).
    """

    def __init__(self, pose_model: nn.Module):
        super().__init__()
        self.pose_model = pose_model
        pre = pose_model.data_preprocessor
        # MMEngine's ImgDataPreprocessor keeps these as its settings; the
        # same arithmetic is done here in graph-friendly form.
        self.bgr_to_rgb = bool(getattr(pre, '_channel_conversion', False))
        self.normalize = bool(getattr(pre, '_enable_normalize', False))
        if self.normalize:
            self.register_buffer('mean', pre.mean.detach().clone()[None])
            self.register_buffer('std', pre.std.detach().clone()[None])

    def forward(self, crops: torch.Tensor):
        x = crops.float()
        if self.bgr_to_rgb:
            x = x.flip(1)  # (B, 3, H, W): BGR -> RGB
        if self.normalize:
            x = (x - self.mean) / self.std
        return self.pose_model._forward(x)


def output_names(pose_model: nn.Module, num_outputs: int) -> Tuple[str, ...]:
    names = OUTPUT_NAMES.get(type(pose_model.head).__name__)
    if names is None or len(names) != num_outputs:
        names = tuple(f'output_{i}' for i in range(num_outputs))
    return names


def _as_tuple(outputs) -> Tuple[torch.Tensor, ...]:
    return tuple(outputs) if isinstance(outputs, (tuple, list)) else (
        outputs, )


def export_onnx(pose_model: nn.Module,
                out_file: str,
                batch_size: int = 1,
                dynamic_batch: bool = True,
                opset: int = 18) -> Tuple[str, ...]:
    """Export ``pose_model`` with ``torch.onnx.export(dynamo=True)``, or
    with the TorchScript exporter where torch.export cannot trace it.

    Args:
        pose_model (nn.Module): top-down estimator in eval mode.
        out_file (str): the ``.onnx`` file to write.
        batch_size (int): the batch of a static export (and at least the
            batch of the example input used for tracing).
        dynamic_batch (bool): let the batch dimension vary at run time.
        opset (int): ONNX opset version.

    Returns:
        tuple[str]: the graph's output names.
    """
    wrapper = TopdownOnnxWrapper(pose_model).eval()
    width, height = pose_model.cfg.codec['input_size']
    # torch.export fixes dimensions of size 1 in the example, so a dynamic
    # batch is traced with at least 2
    example_batch = max(batch_size, 2) if dynamic_batch else batch_size
    example = torch.rand(example_batch, 3, height, width) * 255
    with torch.no_grad():
        num_outputs = len(_as_tuple(wrapper(example)))
    names = output_names(pose_model, num_outputs)
    try:
        torch.onnx.export(
            wrapper, (example, ),
            out_file,
            input_names=['input'],
            output_names=list(names),
            opset_version=opset,
            dynamo=True,
            external_data=False,  # one self-contained file (models < 2 GB)
            dynamic_shapes=(({0: torch.export.Dim('batch')}, )
                            if dynamic_batch else None))
    except Exception as err:  # torch.export's failures have no common type
        # torch.export cannot trace data-dependent sizes, e.g. the level
        # bookkeeping of MMCV's deformable attention (TFPose); the
        # TorchScript exporter traces them as constants of the input size.
        print(f'note: torch.export failed ({type(err).__name__}); '
              'exporting with the TorchScript exporter instead')
        batch_axes = {'input': {0: 'batch'}, **{n: {0: 'batch'} for n in names}}
        torch.onnx.export(
            wrapper, (example, ),
            out_file,
            input_names=['input'],
            output_names=list(names),
            opset_version=opset,
            dynamo=False,
            dynamic_axes=batch_axes if dynamic_batch else None)
    if dynamic_batch:
        import onnx
        batch_dim = onnx.load(out_file).graph.input[0].type.tensor_type.shape
        if not batch_dim.dim[0].dim_param:
            raise RuntimeError(
                f'the exporter fixed the batch dimension of {out_file!r} to '
                f'{batch_dim.dim[0].dim_value}; export with a static batch '
                '(--static-batch --batch-size N)')
    return names


def compare_with_onnxruntime(pose_model: nn.Module, onnx_file: str,
                             crops: np.ndarray,
                             threads: int = 0) -> Dict[str, float]:
    """Largest absolute difference per output between PyTorch and
    onnxruntime (CPU) on ``crops (B, 3, H, W)`` float32 BGR [0, 255];
    ``threads`` > 0 sets onnxruntime's intra-op threads (0: its default)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    if threads > 0:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        onnx_file, options, providers=['CPUExecutionProvider'])
    ort_outputs = session.run(None, {'input': crops.astype(np.float32)})
    wrapper = TopdownOnnxWrapper(pose_model).eval()
    with torch.no_grad():
        torch_outputs = _as_tuple(wrapper(torch.from_numpy(crops).float()))
    names = [o.name for o in session.get_outputs()]
    return {
        name: float(np.abs(ort - ref.numpy()).max())
        for name, ort, ref in zip(names, ort_outputs, torch_outputs)
    }


def parse_args(argv: Sequence[str] = None):
    parser = argparse.ArgumentParser(
        description='Export a top-down pose model to ONNX.')
    parser.add_argument('config', help='MMPose / mmpose_ext config')
    parser.add_argument('checkpoint', help='its checkpoint, or none')
    parser.add_argument('out_file', help='the .onnx file to write')
    parser.add_argument(
        '--batch-size', type=int, default=1,
        help='batch of --check (and of the graph with --static-batch)')
    parser.add_argument(
        '--static-batch', action='store_true',
        help='fix the batch dimension to --batch-size')
    parser.add_argument('--opset', type=int, default=18)
    parser.add_argument(
        '--check', action='store_true',
        help='compare onnxruntime with PyTorch on a seeded random batch')
    parser.add_argument('--atol', type=float, default=1e-4)
    return parser.parse_args(argv)


def main(argv: Sequence[str] = None):
    args = parse_args(argv)
    from mmpose_ext.apis import (CheckpointMismatchError, ModelConfigError,
                                 init_pose_model)
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    try:
        model = init_pose_model(args.config, checkpoint, device='cpu')
    except (ModelConfigError, CheckpointMismatchError) as err:
        sys.exit(f'error: {err}')
    if checkpoint is None:
        print('warning: no checkpoint, exporting random weights')
    out_dir = osp.dirname(osp.abspath(args.out_file))
    if not osp.isdir(out_dir):
        sys.exit(f'error: output folder {out_dir!r} does not exist')
    names = export_onnx(model, args.out_file, args.batch_size,
                        not args.static_batch, args.opset)
    print(f'wrote {args.out_file} (input: (B, 3, H, W) BGR [0, 255]; '
          f'outputs: {", ".join(names)})')
    if args.check:
        width, height = model.cfg.codec['input_size']
        rng = np.random.default_rng(0)
        crops = rng.uniform(0, 255, (args.batch_size, 3, height, width))
        diffs = compare_with_onnxruntime(model, args.out_file,
                                         crops.astype(np.float32))
        for name, diff in diffs.items():
            print(f'onnxruntime vs PyTorch, {name}: max |diff| = {diff:.3g}')
        if max(diffs.values()) > args.atol:
            sys.exit(f'error: onnxruntime differs from PyTorch by more than '
                     f'{args.atol}')


if __name__ == '__main__':
    main()
