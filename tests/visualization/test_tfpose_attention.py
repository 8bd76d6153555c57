"""The attention recorder against the values MMCV's deformable attention
computes with, and the pictures."""
from pathlib import Path
from unittest import mock

import mmcv.ops.multi_scale_deform_attn as msda
import numpy as np
import torch

from mmpose_ext.visualization import (TFPoseAttentionRecorder, draw_p2q,
                                      draw_q2q)
from tests.helpers.tfpose_head import tfpose_features, tiny_tfpose_head


def _spread_head():
    """Large sampling offsets and moving estimates: many sampling points fall
    outside the feature maps. MMCV's module samples (``cpu_sampling=None``),
    so that the spy on its PyTorch path below sees every call."""
    head = tiny_tfpose_head(cpu_sampling=None)
    g = torch.Generator().manual_seed(3)
    for layer in head.query_decoder.layers:
        off = layer.cross_attn.sampling_offsets
        off.weight.data = torch.randn(off.weight.shape, generator=g) * 2.
        off.bias.data = torch.randn(off.bias.shape, generator=g) * 4.
        att = layer.cross_attn.attention_weights
        att.weight.data = torch.randn(att.weight.shape, generator=g) * 0.3
    for mlp in head.query_decoder.refine_mlps:
        last = mlp.layers[-1]
        last.weight.data = torch.randn(last.weight.shape, generator=g) * 0.1
    return head


def test_recorded_sampling_equals_mmcv():
    head = _spread_head()
    feats = tfpose_features()
    calls = []
    real = msda.multi_scale_deformable_attn_pytorch

    def spy(value, shapes, locations, weights):
        out = real(value, shapes, locations, weights)
        calls.append((value, shapes, locations.detach(), weights.detach(),
                      out.detach()))
        return out

    with mock.patch.object(msda, 'multi_scale_deformable_attn_pytorch', spy):
        with TFPoseAttentionRecorder(head) as rec:
            head(feats)
    num_dec = len(head.query_decoder.layers)
    decoder_calls = calls[-num_dec:]  # the encoder's calls come first
    outside = 0
    for d, (value, shapes, loc, wts, out) in enumerate(decoder_calls):
        rec_loc = rec.sampling_locations[0][d]
        rec_w = rec.attention_weights[0][d]
        torch.testing.assert_close(rec_loc, loc, atol=1e-5, rtol=0)
        torch.testing.assert_close(rec_w, wts, atol=1e-5, rtol=0)
        # replaying MMCV's sampling with the recorded values gives its output
        replay = real(value, shapes, rec_loc, rec_w)
        torch.testing.assert_close(replay, out, atol=1e-5, rtol=0)
        outside += ((rec_loc < 0) | (rec_loc > 1)).any(-1).sum().item()
        torch.testing.assert_close(
            rec_w.flatten(3).sum(-1), torch.ones(rec_w.shape[:3]))
    assert outside > 100, outside
    # y_{d-1}: y_0 for the first layer
    torch.testing.assert_close(
        rec.reference_points[0][0],
        head.query_decoder.initial_coords.expand(2, -1, -1))


def test_q2q_matrices_and_hook_removal():
    head = tiny_tfpose_head()
    with TFPoseAttentionRecorder(head) as rec:
        head(tfpose_features())
        head(tfpose_features(1))
    assert len(rec.q2q) == 2
    for mat in rec.q2q[1]:
        assert mat.shape == (2, 17, 17)
        torch.testing.assert_close(mat.sum(-1), torch.ones(2, 17))
    head(tfpose_features())
    assert len(rec.q2q) == 2  # hooks gone after the with block
    no_q2q = tiny_tfpose_head(with_q2q=False)
    with TFPoseAttentionRecorder(no_q2q) as rec:
        no_q2q(tfpose_features())
    assert rec.q2q[0] == [None, None]


def test_pictures_are_written(tmp_path):
    rng = np.random.default_rng(0)
    names = [f'kpt{i}' for i in range(5)]
    draw_q2q([rng.dirichlet(np.ones(5), 5) for _ in range(2)], names,
             str(tmp_path / 'q2q.png'))
    draw_p2q(rng.integers(0, 255, (64, 48, 3), dtype=np.uint8),
             rng.uniform(0, 48, (8, 3, 4, 2)), rng.dirichlet(
                 np.ones(12), 8).reshape(8, 3, 4), np.array([20., 30.]),
             str(tmp_path / 'p2q.png'), ['C3', 'C4', 'C5'])
    for name in ('q2q.png', 'p2q.png'):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b'\x89PNG\r\n\x1a\n' and len(data) > 5000


def test_demo_tool(cli, coco_tiny, tmp_path):
    image = sorted(Path(coco_tiny).glob('*.jpg'))[0]
    cli(['python', 'demo/tfpose_attention.py',
         'configs/tfpose/tfpose_res18-tiny_coco-tiny-128x96.py', image,
         '--keypoint', 'right_knee', '--layer', '2', '--out-dir', tmp_path])
    assert (tmp_path / 'q2q.png').stat().st_size > 5000
    assert (tmp_path / 'p2q_right_knee_layer2.png').stat().st_size > 5000
