"""TFPoseDecoder: refinement (paper Eq. 4), q2q switch, reference points."""
from unittest import mock

import mmcv.ops.multi_scale_deform_attn as msda
import pytest
import torch

from mmpose_ext.models.layers import TFPoseDecoder

K, C, SHAPES = 5, 32, ((8, 6), (4, 3))


def _memory(batch=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    n = sum(h * w for h, w in SHAPES)
    memory = torch.randn(batch, n, C, generator=g)
    spatial_shapes = torch.tensor(SHAPES)
    level_start_index = torch.tensor([0, SHAPES[0][0] * SHAPES[0][1]])
    valid_ratios = torch.ones(batch, len(SHAPES), 2)
    return memory, spatial_shapes, level_start_index, valid_ratios


def _decoder(**kwargs):
    torch.manual_seed(0)
    args = dict(num_keypoints=K, num_layers=3, embed_dims=C, num_heads=4,
                num_levels=len(SHAPES), num_points=2,
                feedforward_channels=64, dropout=0.)
    args.update(kwargs)
    return TFPoseDecoder(**args).eval()


def _randomize_refinement(decoder, scale=0.1):
    g = torch.Generator().manual_seed(1)
    for mlp in decoder.refine_mlps:
        last = mlp.layers[-1]
        last.weight.data = torch.randn(last.weight.shape, generator=g) * scale
        last.bias.data = torch.randn(last.bias.shape, generator=g) * scale


def test_zero_delta_returns_input_coordinates():
    """The refinement MLPs start at zero: every layer returns y_0."""
    decoder = _decoder()
    coords = decoder(*_memory())
    assert coords.shape == (3, 2, K, 2)
    y0 = decoder.initial_coords.expand(2, K, 2)
    for d in range(3):
        torch.testing.assert_close(coords[d], y0, atol=1e-6, rtol=0)


def test_refinement_formula():
    """y_d = sigmoid(logit(y_{d-1}) + delta_d), delta_d from layer d's MLP."""
    decoder = _decoder()
    biases = [torch.tensor([0.3, -0.2]), torch.tensor([-0.5, 0.1]),
              torch.tensor([0.05, 0.4])]
    for mlp, b in zip(decoder.refine_mlps, biases):
        mlp.layers[-1].bias.data = b.clone()  # weight stays 0: delta_d = b
    coords = decoder(*_memory())
    y = decoder.initial_coords.detach().double()
    for d, b in enumerate(biases):
        y = torch.sigmoid(torch.log(y / (1 - y)) + b.double())
        torch.testing.assert_close(
            coords[d].double(), y.expand(2, K, 2), atol=1e-5, rtol=0)


def test_reference_points_are_current_estimates():
    """With zero sampling offsets, layer d's p2q attention samples every
    head, level and point exactly at y_{d-1} (MMCV's own sampling
    locations, captured where MMCV computes with them)."""
    decoder = _decoder()
    _randomize_refinement(decoder)
    for layer in decoder.layers:
        layer.cross_attn.sampling_offsets.weight.data.zero_()
        layer.cross_attn.sampling_offsets.bias.data.zero_()
    seen = []
    real = msda.multi_scale_deformable_attn_pytorch

    def spy(value, shapes, locations, weights):
        seen.append(locations.detach().clone())
        return real(value, shapes, locations, weights)

    with mock.patch.object(msda, 'multi_scale_deformable_attn_pytorch', spy):
        coords = decoder(*_memory())
    assert len(seen) == 3
    previous = [decoder.initial_coords.expand(2, K, 2)] + list(coords[:-1])
    for locations, ref in zip(seen, previous):
        # (B, K, heads, levels, points, 2)
        expected = ref[:, :, None, None, None, :].expand_as(locations)
        torch.testing.assert_close(locations, expected, atol=1e-6, rtol=0)
    # the estimates moved, so the layers really sampled at different places
    assert (seen[0] - seen[2]).abs().max() > 1e-3


def test_q2q_couples_the_keypoint_queries():
    """With q2q, changing keypoint 0's query moves the other keypoints; without
    it, each keypoint query only sees the image."""
    memory = _memory()
    for with_q2q, expect_coupled in ((True, True), (False, False)):
        decoder = _decoder(with_q2q=with_q2q)
        _randomize_refinement(decoder)
        before = decoder(*memory)
        with torch.no_grad():
            # a random direction: LayerNorm would cancel a uniform shift
            decoder.query[0] += torch.randn(
                C, generator=torch.Generator().manual_seed(2))
        after = decoder(*memory)
        assert (after[:, :, 0] - before[:, :, 0]).abs().max() > 1e-4
        others = (after[:, :, 1:] - before[:, :, 1:]).abs().max()
        assert (others > 1e-4) == expect_coupled, (with_q2q, others)


def test_removing_q2q_changes_outputs_and_parameters():
    with_q2q = _decoder()
    without = _decoder(with_q2q=False)
    assert all(layer.self_attn is None and len(layer.norms) == 2
               for layer in without.layers)
    # same weights for everything but the q2q block and its norm
    state = {}
    for key, value in with_q2q.state_dict().items():
        if '.self_attn.' in key or '.norms.0.' in key:
            continue
        state[key.replace('.norms.1.', '.norms.0.').replace(
            '.norms.2.', '.norms.1.')] = value
    without.load_state_dict(state, strict=True)
    _randomize_refinement(with_q2q)
    _randomize_refinement(without)
    memory = _memory()
    diff = (with_q2q(*memory) - without(*memory)).abs().max()
    assert diff > 1e-3


@pytest.mark.parametrize('detach, expect_zero', [(True, True),
                                                 (False, False)])
def test_detach_refinement(detach, expect_zero):
    """Deformable DETR's stop-gradient: a later layer's loss does not train an
    earlier layer's refinement MLP."""
    decoder = _decoder(detach_refinement=detach)
    _randomize_refinement(decoder)
    for mlp in decoder.refine_mlps:
        torch.nn.init.normal_(mlp.layers[0].weight, std=0.5)
    coords = decoder(*_memory())
    coords[2].sum().backward()
    grad = decoder.refine_mlps[0].layers[-1].weight.grad
    assert (grad is None or grad.abs().max() == 0) == expect_zero


@pytest.mark.parametrize('name', ['num_keypoints', 'num_layers',
                                  'refine_mlp_layers'])
def test_bad_sizes_are_refused(name):
    with pytest.raises(ValueError, match=f'TFPoseDecoder: {name}'):
        _decoder(**{name: 0})
