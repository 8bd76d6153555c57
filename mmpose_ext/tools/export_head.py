"""Export one head of a multi-dataset model as a plain single-dataset model.

    python -m mmpose_ext.tools.export_head CONFIG CHECKPOINT --head aic \\
        --out-dir DIR

CONFIG is a multi-dataset config (``MultiHeadTopdownPoseEstimator``) and
CHECKPOINT one of its checkpoints. DIR receives

* ``<config name>_<head>.py``: a ``TopdownPoseEstimator`` with the shared
  backbone (and neck) and that head, on that dataset alone (its pipelines,
  its metric; :func:`mmpose_ext.apis.single_head.single_head_config`);
* ``<checkpoint name>_<head>.pth``: the backbone and that head's weights
  (``heads.<head>.*`` -> ``head.*``), ``meta.dataset_meta`` of that dataset.

The pair works wherever an MMPose top-down model does: ``mim test``,
MMPose's ``init_model`` / ``inference_topdown`` / ``MMPoseInferencer``, the
demo (``demo/topdown_demo.py``) and ``mmpose_ext.tools.export_onnx``.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config

import mmpose_ext  # noqa: F401  (registers the modules)
from mmpose_ext.apis.single_head import head_dataset_meta, single_head_config
from mmpose_ext.checkpoints import export_single_head_checkpoint


def export_head(config: str, checkpoint: str, head: str, out_dir: str):
    """Write the single-head config and checkpoint; returns their paths."""
    cfg = Config.fromfile(config)
    single = single_head_config(cfg, head)
    os.makedirs(out_dir, exist_ok=True)
    stem = osp.splitext(osp.basename(config))[0]
    cfg_path = osp.join(out_dir, f'{stem}_{head}.py')
    single.dump(cfg_path)
    ckpt_path = osp.join(
        out_dir, f'{osp.splitext(osp.basename(checkpoint))[0]}_{head}.pth')
    export_single_head_checkpoint(checkpoint, head, ckpt_path,
                                  dataset_meta=head_dataset_meta(cfg, head))
    return cfg_path, ckpt_path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='multi-dataset config')
    parser.add_argument('checkpoint', help='its checkpoint')
    parser.add_argument('--head', required=True,
                        help='dataset name of the head to export')
    parser.add_argument('--out-dir', required=True, help='output folder')
    args = parser.parse_args(argv)
    try:
        cfg_path, ckpt_path = export_head(args.config, args.checkpoint,
                                          args.head, args.out_dir)
    except (KeyError, FileNotFoundError, ValueError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f'error: {msg}', file=sys.stderr)
        return 1
    print(f'head {args.head!r} exported:\n  config     {cfg_path}\n'
          f'  checkpoint {ckpt_path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
