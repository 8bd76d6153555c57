"""A tiny TFPoseHead and seeded multi-level features for it, shared by the
head's tests, its ONNX export test and the attention-recorder tests."""
import torch
from mmpose.registry import MODELS

import mmpose_ext  # noqa: F401  (registers TFPoseHead and TFPoseLabel)

K, C, B = 17, 32, 2  # keypoints, embed_dims, batch size
INPUT = (96, 128)  # (w, h)
CODEC = dict(
    type='TFPoseLabel',
    input_size=INPUT,
    heatmap=dict(type='UDPHeatmap', heatmap_size=(24, 32), sigma=1.))


def tiny_tfpose_head(**overrides):
    """A TFPoseHead (1 encoder, 2 decoder layers, C=32, 3 levels, with the
    auxiliary heatmap branch), seeded and in eval mode; ``overrides`` replace
    its config's keys."""
    torch.manual_seed(0)
    cfg = dict(type='TFPoseHead', num_keypoints=K, num_feature_levels=3,
               embed_dims=C, num_encoder_layers=1, num_decoder_layers=2,
               num_heads=4, num_points=2, feedforward_channels=64,
               dropout=0., aux_head=dict(
                   type='HeatmapHead', deconv_out_channels=(16, 16, 16),
                   loss=dict(type='KeypointMSELoss', use_target_weight=True,
                             loss_weight=50.)),
               decoder=CODEC)
    cfg.update(overrides)
    head = MODELS.build(cfg)
    head.init_weights()
    return head.eval()


def tfpose_features(seed=0, batch=B):
    """Seeded C3, C4, C5 maps of an ``INPUT``-sized crop: ``(batch, C,
    h / s, w / s)`` for strides s = 8, 16, 32."""
    g = torch.Generator().manual_seed(seed)
    w, h = INPUT
    return [torch.randn(batch, C, h // s, w // s, generator=g)
            for s in (8, 16, 32)]
