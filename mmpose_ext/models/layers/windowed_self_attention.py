"""ViTPose's attention types: full, window, shifted window, pooling window.

ViTPose (Sec. 3.3, "Attention type flexibility") replaces full attention on
large token maps by window attention and restores cross-window communication
with two parameter-free changes to the attention computation:

* shift window: every other layer rolls the token map by half a window before
  partitioning (Swin), with Swin's mask so that tokens brought together by the
  roll only attend within their own region;
* pooling window: the tokens of every window are average-pooled into one
  context token; each window attends to its own tokens plus the context tokens
  of all windows (as extra keys and values).

The projections are MMCV's :class:`~mmcv.cnn.bricks.transformer.
MultiheadAttention` (one ``(3C, C)`` in-projection, the layout of ViT's
``qkv``), so the same weights serve every attention type.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn.bricks.transformer import MultiheadAttention
from torch import Tensor


class WindowedSelfAttention(MultiheadAttention):
    """Self-attention over a token map, full or windowed, with residual.

    Note:
        - B: batch size, C: channels (``embed_dims``)
        - H, W: height and width of the patch-token map
        - N = H * W: patch tokens, stored row-major (``index = y * W + x``)
        - E: extra (non-spatial) tokens appended after the patch tokens, e.g.
          knowledge tokens. In windowed modes every window also attends to
          them, and they attend to all tokens (full attention), so they can
          exchange information with every window.

    Args:
        embed_dims (int): Token channels C.
        num_heads (int): Attention heads; ``embed_dims`` must divide by it.
        window_size (Sequence[int], optional): Window ``(h, w)`` in tokens.
            ``None`` (default) is full attention. Maps whose size is not a
            multiple of the window are padded; padded tokens are masked out.
        shift (bool): Roll the map by ``(h // 2, w // 2)`` before partitioning
            (Swin's shifted window). Only with ``window_size``.
        pool (bool): Add the average-pooled token of every window as keys and
            values of every window. Only with ``window_size``.
        attn_drop (float): Dropout on the attention weights.
        proj_drop (float): Dropout after the output projection.
        drop_path (float): Stochastic depth rate of this residual branch.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 window_size: Optional[Sequence[int]] = None,
                 shift: bool = False,
                 pool: bool = False,
                 attn_drop: float = 0.,
                 proj_drop: float = 0.,
                 drop_path: float = 0.,
                 init_cfg=None):
        if embed_dims % num_heads:
            raise ValueError(
                f'{type(self).__name__}: embed_dims={embed_dims} is not a '
                f'multiple of num_heads={num_heads}')
        if window_size is None:
            if shift or pool:
                raise ValueError(
                    f'{type(self).__name__}: shift={shift} and pool={pool} '
                    'need a window_size; full attention has no windows')
        else:
            window_size = tuple(int(s) for s in window_size)
            if len(window_size) != 2 or min(window_size) < 1:
                raise ValueError(
                    f'{type(self).__name__}: window_size must be two positive '
                    f'ints (h, w), got {window_size}')
        super().__init__(
            embed_dims,
            num_heads,
            attn_drop=attn_drop,
            proj_drop=proj_drop,
            dropout_layer=dict(type='DropPath', drop_prob=drop_path),
            batch_first=True,
            init_cfg=init_cfg)
        self.window_size = window_size
        self.shift = shift
        self.pool = pool

    def forward(self, x: Tensor, identity: Tensor, hw: Tuple[int, int],
                num_extra: int = 0) -> Tensor:
        """Attend and add the residual.

        Args:
            x (Tensor): Normalised tokens ``(B, N + E, C)``, patches first.
            identity (Tensor): Residual input ``(B, N + E, C)``.
            hw (tuple[int, int]): Token map size ``(H, W)``, ``H * W == N``.
            num_extra (int): E, the extra tokens after the patch tokens.

        Returns:
            Tensor: ``identity + drop_path(proj_drop(attention(x)))``,
            ``(B, N + E, C)``.
        """
        if self.window_size is None:
            out = self._attend(x, x)
        else:
            out = self._windowed(x, hw, num_extra)
        # Drop path decides per sample, so it acts on the merged map, never
        # per window.
        return identity + self.dropout_layer(self.proj_drop(out))

    def _attend(self, query: Tensor, key: Tensor,
                attn_mask: Optional[Tensor] = None) -> Tensor:
        """Batch-first multi-head attention ``(B, L, C), (B, S, C) -> (B, L,
        C)`` with ``key`` also as value; ``attn_mask`` ``(B * heads, L, S)``,
        True where attention is not allowed."""
        # nn.MultiheadAttention inside MMCV's wrapper is sequence-first.
        out = self.attn(
            query.transpose(0, 1),
            key.transpose(0, 1),
            key.transpose(0, 1),
            attn_mask=attn_mask,
            need_weights=False)[0]
        return out.transpose(0, 1)

    def _windowed(self, x: Tensor, hw: Tuple[int, int],
                  num_extra: int) -> Tensor:
        B, L, C = x.shape
        H, W = hw
        N = H * W
        if L != N + num_extra:
            raise ValueError(
                f'{type(self).__name__}: got {L} tokens, expected H*W + E = '
                f'{H}*{W} + {num_extra}')
        wh, ww = self.window_size
        Hp, Wp = -(-H // wh) * wh, -(-W // ww) * ww
        nh, nw = Hp // wh, Wp // ww
        nW, S = nh * nw, wh * ww

        grid = x[:, :N].reshape(B, H, W, C)
        extra = x[:, N:]  # (B, E, C)
        # (B, Hp, Wp, C), zero padding at the bottom and right
        grid = F.pad(grid, (0, 0, 0, Wp - W, 0, Hp - H))
        valid = x.new_zeros((Hp, Wp), dtype=torch.bool)
        valid[:H, :W] = True
        region = self._shift_regions(Hp, Wp, x.device)
        if self.shift:
            shift = (-(wh // 2), -(ww // 2))
            grid = torch.roll(grid, shift, dims=(1, 2))
            valid = torch.roll(valid, shift, dims=(0, 1))

        # (B, nh, wh, nw, ww, C) -> (B, nh, nw, wh, ww, C) -> (B, nW, S, C)
        windows = grid.reshape(B, nh, wh, nw, ww, C).permute(
            0, 1, 3, 2, 4, 5).reshape(B, nW, S, C)
        # (nW, S) validity and shift-region labels of every window position
        win_valid = valid.reshape(nh, wh, nw, ww).permute(0, 2, 1, 3).reshape(
            nW, S)
        win_region = region.reshape(nh, wh, nw, ww).permute(0, 2, 1,
                                                            3).reshape(nW, S)

        # (nW, S, S): query i may see key j if j is a real token of its region
        allowed = win_valid[:, None, :] & (
            win_region[:, :, None] == win_region[:, None, :])
        # a padded query sees itself, so no row is fully masked (its output is
        # discarded, but an all-masked softmax would put NaN into backward)
        allowed = allowed | torch.eye(S, dtype=torch.bool, device=x.device)

        keys = [windows]
        key_allowed = [allowed]
        if self.pool:
            counts = win_valid.sum(-1).clamp(min=1).to(x.dtype)  # (nW,)
            # (B, nW, C): mean of the real tokens of each window
            pooled = (windows * win_valid[None, :, :, None]).sum(2) / counts[
                None, :, None]
            keys.append(pooled[:, None].expand(B, nW, nW, C))
            key_allowed.append(allowed.new_ones((nW, S, nW)))
        if num_extra:
            keys.append(extra[:, None].expand(B, nW, num_extra, C))
            key_allowed.append(allowed.new_ones((nW, S, num_extra)))
        # (B * nW, S + [nW] + [E], C)
        keys = torch.cat(keys, dim=2).reshape(B * nW, -1, C)
        # (B * nW * heads, S, S + [nW] + [E]), True = masked
        mask = ~torch.cat(key_allowed, dim=2)
        mask = mask[None].expand(B, -1, -1, -1).reshape(B * nW, S, -1)
        mask = mask.repeat_interleave(self.num_heads, dim=0)

        out = self._attend(windows.reshape(B * nW, S, C), keys, mask)
        # (B * nW, S, C) -> (B, nh, nw, wh, ww, C) -> (B, Hp, Wp, C)
        out = out.reshape(B, nh, nw, wh, ww, C).permute(0, 1, 3, 2, 4,
                                                        5).reshape(
                                                            B, Hp, Wp, C)
        if self.shift:
            out = torch.roll(out, (wh // 2, ww // 2), dims=(1, 2))
        out = out[:, :H, :W].reshape(B, N, C)
        if num_extra:
            # extra tokens attend to every token: full attention for them
            out = torch.cat([out, self._attend(extra, x)], dim=1)
        return out

    def _shift_regions(self, Hp: int, Wp: int, device) -> Tensor:
        """Swin's region labels ``(Hp, Wp)`` of the rolled map: positions with
        different labels come from non-adjacent parts of the image and must
        not attend to each other. All zeros without shift."""
        if not self.shift:
            return torch.zeros((Hp, Wp), dtype=torch.long, device=device)
        wh, ww = self.window_size

        def bands(size, win):
            # 0: never wrapped, 1: last window before the shift, 2: the part
            # that the roll brought from the other side (empty if win == 1)
            pos = torch.arange(size, device=device)
            return (pos >= size - win).long() + (pos >= size - win // 2).long()

        return bands(Hp, wh)[:, None] * 3 + bands(Wp, ww)[None, :]
