"""Tiny ViTPose configs, a stand-in trained teacher and a synthetic batch for
the distillation tests.

An estimator builds its data preprocessor through MMEngine's root registry,
so building these configs needs MMPose as the default scope: tests using
them ask for the ``mmpose_scope`` fixture (tests/conftest.py).
"""
import torch
from mmengine.structures import InstanceData, PixelData

import mmpose_ext  # noqa: F401  (registers the ViTPose modules)
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from tests.helpers.vitpose_reference import vitpose_estimator_cfg

TINY = dict(embed_dims=64, num_layers=2, num_heads=4, feedforward_channels=256)
PREPROCESSOR = dict(type='PoseDataPreprocessor', mean=[123.675, 116.28,
                                                        103.53],
                    std=[58.395, 57.12, 57.375], bgr_to_rgb=True)


def model_cfg(head='classic', arch=TINY, tokens=None, **extra):
    """A tiny ViTPose at 64x48 (4x3 tokens, 16x12 heatmaps)."""
    cfg = vitpose_estimator_cfg(head, arch, (64, 48), arch['embed_dims'],
                                deconv=(16, 16))
    cfg['data_preprocessor'] = PREPROCESSOR
    if tokens is not None:
        cfg['backbone']['knowledge_tokens'] = tokens
    cfg.update(extra)
    return cfg


def trained_checkpoint(path, head='classic', seed=0):
    """Save a tiny model with non-trivial weights and BN statistics (a stand-
    in for a trained teacher); returns its state dict."""
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg(head))
    model.init_weights()
    with torch.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith('running_mean'):
                buf.normal_(0, 0.1)
            elif name.endswith('running_var'):
                buf.uniform_(0.5, 1.5)
        for p in model.head.parameters():
            p.normal_(0, 0.1)
    state = model.state_dict()
    torch.save({'state_dict': state}, path)
    return state


def batch(num=4, seed=0):
    """A training batch as the data loader yields it."""
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(num):
        inputs.append(torch.randint(0, 256, (3, 64, 48), generator=gen,
                                    dtype=torch.uint8))
        sample = PoseDataSample(metainfo=dict(input_size=(48, 64),
                                              flip_indices=list(range(17))))
        sample.gt_fields = PixelData(
            heatmaps=torch.rand(17, 16, 12, generator=gen))
        sample.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones(1, 17))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)
