"""How much of what the features know does TFPose's regression read out?

    .venv/bin/python benchmarks/tfpose_aux_readout.py CONFIG CHECKPOINT

Evaluates one trained TFPose checkpoint twice on its config's val set (MMPose's
CocoMetric, the config's detected boxes, no flip test so that both read one
forward pass): once with the model's own output (the last decoder layer's
coordinates) and once with the keypoints decoded from the auxiliary heatmaps
(the branch that only trains the features; UDP decoding, MMPose's
``UDPHeatmap`` with the config's heatmap settings). If the heatmaps score
well above the regression, the features localize the keypoints and the
decoder is what lags behind.
"""
import argparse
import os

import numpy as np
import torch
from mmengine.config import DictAction


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='overrides, as in tools/test')
    args = parser.parse_args()
    os.environ['MMPOSE_EXT_SYNTHETIC'] = args.data_root
    torch.set_num_threads(args.threads)
    from mmengine.config import Config
    from mmengine.runner import Runner
    from mmpose.codecs import UDPHeatmap

    from mmpose_ext.tools.mmpose_tools import setup_checkpoint_loading

    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    cfg.model.test_cfg = dict(flip_test=False)
    cfg.work_dir = 'work_dirs/aux_readout'
    cfg.load_from = args.checkpoint
    # weights-only and refused when it does not fit, as in mim test
    setup_checkpoint_loading(cfg)
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    cfg.default_hooks.visualization = dict(
        type='PoseVisualizationHook', enable=False)
    heatmap_cfg = dict(cfg.codec['heatmap'])
    heatmap_cfg.pop('type')
    input_w, input_h = cfg.codec['input_size']
    udp = UDPHeatmap(input_size=(input_w, input_h), **heatmap_cfg)

    runner = Runner.from_cfg(cfg)
    head = runner.model.head

    def heatmap_predict(feats, batch_data_samples, test_cfg={}):
        memory, *_ = head.encode(feats)
        coords = []
        for heatmap in head.aux_heatmaps(memory, feats).cpu().numpy():
            keypoints, _ = udp.decode(heatmap)  # (1, K, 2) input pixels
            coords.append(keypoints[0] / np.array([input_w, input_h]))
        coords = torch.as_tensor(np.stack(coords), dtype=torch.float32)
        return head.decode(coords.unsqueeze(1))

    results = {'regression (the model)': runner.test()}
    # the instance attribute shadows TFPoseHead.predict for this run only
    head.predict = heatmap_predict
    results['auxiliary heatmaps'] = runner.test()
    del head.predict

    print('\n| read out by | AP | AP .5 | AR |\n| --- | ---: | ---: | ---: |')
    for name, m in results.items():
        print(f"| {name} | {m['coco/AP']:.3f} | {m['coco/AP .5']:.3f} | "
              f"{m['coco/AR']:.3f} |")


if __name__ == '__main__':
    main()
