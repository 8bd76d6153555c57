"""SimDRCrossEntropyLoss against the formula and MMPose's KLDiscretLoss."""
import pytest
import torch
import torch.nn.functional as F
from mmpose.registry import MODELS

import mmpose_ext  # noqa: F401


def one_hot(n, k, length, gen):
    idx = torch.randint(0, length, (n, k), generator=gen)
    return F.one_hot(idx, length).float()


def test_matches_the_formula():
    gen = torch.Generator().manual_seed(0)
    loss = MODELS.build(dict(type='SimDRCrossEntropyLoss', loss_weight=2.0))
    px, py = torch.randn(3, 5, 40, generator=gen), torch.randn(
        3, 5, 60, generator=gen)
    tx, ty = one_hot(3, 5, 40, gen), one_hot(3, 5, 60, gen)
    w = torch.rand(3, 5, generator=gen)
    expected = 0.
    for p, t in ((px, tx), (py, ty)):
        ce = -(t * p.log_softmax(-1)).sum(-1)  # (3, 5)
        expected = expected + (ce * w).mean()
    torch.testing.assert_close(loss((px, py), (tx, ty), w), 2 * expected)


def test_kl_discret_loss_is_cross_entropy_over_length():
    """On one-hot labels MMPose's KLDiscretLoss is CE / L summed over the
    instances and divided by K: ours * N / L for equal axis lengths."""
    gen = torch.Generator().manual_seed(1)
    ours = MODELS.build(dict(type='SimDRCrossEntropyLoss'))
    kl = MODELS.build(dict(type='KLDiscretLoss', use_target_weight=True))
    n, k, length = 4, 6, 50
    pred = (torch.randn(n, k, length, generator=gen),
            torch.randn(n, k, length, generator=gen))
    target = (one_hot(n, k, length, gen), one_hot(n, k, length, gen))
    w = (torch.rand(n, k, generator=gen) > 0.3).float()
    torch.testing.assert_close(
        kl(pred, target, w), ours(pred, target, w) * n / length)


def test_shape_mismatch_raises():
    loss = MODELS.build(dict(type='SimDRCrossEntropyLoss'))
    with pytest.raises(ValueError, match='same input_size and split ratio'):
        loss((torch.zeros(1, 2, 10), torch.zeros(1, 2, 10)),
             (torch.zeros(1, 2, 12), torch.zeros(1, 2, 10)),
             torch.ones(1, 2))
