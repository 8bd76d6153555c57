"""WindowedSelfAttention against MMCV's MultiheadAttention (full attention)
and against a dense-mask formulation of window / shifted / pooling attention
(no partitioning, no roll: every query's allowed keys are listed from its
coordinates)."""
import pytest
import torch
from mmcv.cnn.bricks.transformer import MultiheadAttention

from mmpose_ext.models.layers import WindowedSelfAttention

C, HEADS = 16, 4


def make(seed=0, **kwargs):
    torch.manual_seed(seed)
    attn = WindowedSelfAttention(C, HEADS, **kwargs).eval()
    for p in attn.parameters():
        torch.nn.init.normal_(p, std=0.3)
    return attn


def dense_reference(attn, x, hw, num_extra, window, shift, pool):
    """Window attention as full attention with a dense (N, keys) mask."""
    B, L, _ = x.shape
    H, W = hw
    N = H * W
    wh, ww = window
    Hp, Wp = -(-H // wh) * wh, -(-W // ww) * ww
    sh, sw = (wh // 2, ww // 2) if shift else (0, 0)
    ys, xs = torch.meshgrid(torch.arange(H), torch.arange(W), indexing='ij')
    ys, xs = ys.flatten(), xs.flatten()
    # position of each token on the padded map after torch.roll(-shift)
    ry, rx = (ys - sh) % Hp, (xs - sw) % Wp
    win = (ry // wh) * (Wp // ww) + rx // ww

    def band(p, size, w):
        return (p >= size - w).long() + (p >= size - w // 2).long()

    region = band(ry, Hp, wh) * 3 + band(rx, Wp, ww) if shift else \
        torch.zeros_like(ry)
    allowed = (win[:, None] == win[None, :]) & (
        region[:, None] == region[None, :])  # (N, N)
    keys = [x[:, :N]]
    masks = [allowed]
    if pool:
        nW = (Hp // wh) * (Wp // ww)
        member = torch.nn.functional.one_hot(win, nW).float()  # (N, nW)
        pooled = (member.T @ x[:, :N]) / member.sum(0)[:, None]  # (B, nW, C)
        keys.append(pooled)
        masks.append(torch.ones(N, nW, dtype=torch.bool))
    keys.append(x[:, N:])
    masks.append(torch.ones(N, num_extra, dtype=torch.bool))
    keys = torch.cat(keys, 1)
    mask = ~torch.cat(masks, 1)
    mha = attn.attn
    out = mha(x[:, :N].transpose(0, 1), keys.transpose(0, 1),
              keys.transpose(0, 1), attn_mask=mask, need_weights=False)[0]
    out = out.transpose(0, 1)
    if num_extra:
        ext = mha(x[:, N:].transpose(0, 1), x.transpose(0, 1),
                  x.transpose(0, 1), need_weights=False)[0].transpose(0, 1)
        out = torch.cat([out, ext], 1)
    return out


def test_full_attention_equals_mmcv_multihead_attention():
    attn = make()
    host = MultiheadAttention(C, HEADS, batch_first=True).eval()
    host.load_state_dict(attn.state_dict())
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 12, C, generator=gen)
    identity = torch.randn(2, 12, C, generator=gen)
    ours = attn(x, identity, hw=(3, 4))
    theirs = host(x, identity=identity)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)


CASES = [
    # (name, hw, window, shift, pool, extra)
    ('window', (4, 6), (2, 3), False, False, 0),
    ('window_padded', (5, 7), (2, 3), False, False, 0),
    ('shift', (4, 6), (2, 2), True, False, 0),
    ('shift_padded', (5, 7), (4, 4), True, False, 0),
    ('pool', (4, 6), (2, 3), False, True, 0),
    ('shift_pool_padded_extra', (5, 7), (2, 3), True, True, 2),
    ('window_extra', (4, 6), (4, 3), False, False, 1),
    ('shift_window_of_one_row', (4, 6), (1, 3), True, False, 0),
]


@pytest.mark.parametrize('name,hw,window,shift,pool,extra', CASES,
                         ids=[c[0] for c in CASES])
def test_windowed_equals_dense_mask_reference(name, hw, window, shift, pool,
                                              extra):
    attn = make(window_size=window, shift=shift, pool=pool)
    gen = torch.Generator().manual_seed(2)
    N = hw[0] * hw[1]
    x = torch.randn(2, N + extra, C, generator=gen)
    zero = torch.zeros_like(x)
    ours = attn(x, zero, hw=hw, num_extra=extra)
    ref = dense_reference(attn, x, hw, extra, window, shift, pool)
    torch.testing.assert_close(ours, ref, rtol=1e-5, atol=1e-5)


def test_one_window_over_the_map_is_full_attention():
    full, win = make(), make(window_size=(3, 4))
    x = torch.randn(2, 12 + 1, C, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(
        win(x, x, hw=(3, 4), num_extra=1), full(x, x, hw=(3, 4), num_extra=1),
        rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('kwargs', [
    dict(window_size=(2, 2)),
    dict(window_size=(2, 2), shift=True),
    dict(window_size=(2, 2), pool=True),
])
def test_window_types_keep_shape_and_differ_from_full(kwargs):
    full, other = make(), make(**kwargs)
    x = torch.randn(2, 24, C, generator=torch.Generator().manual_seed(4))
    a, b = full(x, x, hw=(4, 6)), other(x, x, hw=(4, 6))
    assert b.shape == a.shape == x.shape
    assert (a - b).abs().max() > 1e-2


def test_backward_is_finite_with_padding_and_shift():
    attn = make(window_size=(4, 4), shift=True, pool=True).train()
    x = torch.randn(2, 35, C, requires_grad=True)
    attn(x, x, hw=(5, 7)).sum().backward()
    assert torch.isfinite(x.grad).all()
    assert all(torch.isfinite(p.grad).all() for p in attn.parameters())


@pytest.mark.parametrize('kwargs,message', [
    (dict(shift=True), 'need a window_size'),
    (dict(pool=True), 'need a window_size'),
    (dict(window_size=(0, 2)), 'two positive ints'),
    (dict(window_size=(2, 2, 2)), 'two positive ints'),
])
def test_bad_options_raise(kwargs, message):
    with pytest.raises(ValueError, match=f'WindowedSelfAttention.*{message}'):
        WindowedSelfAttention(C, HEADS, **kwargs)


def test_heads_must_divide_channels():
    with pytest.raises(ValueError, match='not a multiple of num_heads=5'):
        WindowedSelfAttention(C, 5)
