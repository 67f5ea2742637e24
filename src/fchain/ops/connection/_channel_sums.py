"""A convolution's bias gradient: ``gy (N, C, *spatial)`` summed over the batch and
space, in the order numpy sums a channels-first array, whatever ``gy``'s layout.

numpy (and so Chainer) sums a C-contiguous ``gy`` over ``(0, 2, 3, ...)`` item by
item, each item's positions of a channel (one contiguous run) by its pairwise sum:
runs under 8 values one after another; up to 128 values in 8 interleaved partial
sums, combined as ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``, then the
tail; longer runs split in two halves at a multiple of 8.  A channels-last ``gy``
(the convolutions' own outputs' layout) summed in its memory order would instead
add all ``N P`` positions one after another: another rounding, and an error growing
with ``N P`` (measured: Chainer's training replays of Inception and
MLPConvolution2D moved from 2-3 to 5-8 ulps).  So that order is replayed here, on
the channels-last view, vectorized over items and channels; halves of equal size
(every power-of-two run) are summed as one batch.
"""

from __future__ import annotations

from fchain.ops.connection._columns_last import channels_last
from fchain.types import Array, ArrayNamespace

__all__ = ["channel_sums"]

_BLOCK = 128  # numpy's PW_BLOCKSIZE
_UNROLL = 8


def channel_sums(xp: ArrayNamespace, gy: Array) -> Array:
    """``gy`` summed over every axis but 1, in numpy's order for a C-contiguous ``gy``."""
    if gy.strides[-1] == gy.itemsize or gy.ndim < 3:
        return xp.sum(gy, axis=(0,) + tuple(range(2, gy.ndim)), keepdims=False)
    n, c = gy.shape[0], gy.shape[1]
    runs = _pairwise(channels_last(gy).reshape(n, -1, c))  # (N, C): each item's run summed
    total: Array = runs[0]
    for i in range(1, n):  # then item after item
        total = total + runs[i]
    return total


def _pairwise(t: Array) -> Array:
    """``t (B, n, C)`` summed over axis 1 as numpy's pairwise sum adds a run of ``n``."""
    b, n, c = t.shape
    if n < _UNROLL:
        total: Array = t[:, 0].copy()
        for i in range(1, n):
            total += t[:, i]
        return total
    if n <= _BLOCK:
        r = t[:, :_UNROLL].copy()
        end = n - n % _UNROLL
        for i in range(_UNROLL, end, _UNROLL):
            r += t[:, i:i + _UNROLL]
        total = ((r[:, 0] + r[:, 1]) + (r[:, 2] + r[:, 3])) + ((r[:, 4] + r[:, 5]) + (r[:, 6] + r[:, 7]))
        for i in range(end, n):
            total += t[:, i]
        return total
    half = n // 2
    half -= half % _UNROLL
    if 2 * half == n:  # both halves the same: one call over twice the rows
        both = _pairwise(t.reshape(b * 2, half, c)).reshape(b, 2, c)
        return both[:, 0] + both[:, 1]
    return _pairwise(t[:, :half]) + _pairwise(t[:, half:])
