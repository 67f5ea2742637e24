"""Per-channel sums of ``a (N, C, *spatial)`` over the batch and space (a
convolution's bias gradient, batch normalization's statistics), in the order numpy
sums a C-contiguous array, whatever ``a``'s memory layout.

numpy (and so Chainer) sums a C-contiguous ``gy`` over ``(0, 2, 3, ...)`` item by
item, each item's positions of a channel (one contiguous run) by its pairwise sum:
runs under 8 values one after another; up to 128 values in 8 interleaved partial
sums, combined as ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``, then the
tail; longer runs split in two halves at a multiple of 8.  A channels-last ``a``
(the convolutions' own outputs' layout) summed in its memory order would instead
add all ``N P`` positions one after another: another rounding, and an error growing
with ``N P`` (measured: Chainer's training replays of Inception and
MLPConvolution2D moved from 2-3 to 5-8 ulps when the bias gradient was so summed).  So that order is replayed here, on
the channels-last view, vectorized over items and channels; halves of equal size
(every power-of-two run) are summed as one batch.
"""

from __future__ import annotations

from fchain.types import Array, ArrayNamespace, Axis

__all__ = ["batch_sums", "channel_sums"]

_BLOCK = 128  # numpy's PW_BLOCKSIZE
_UNROLL = 8


def channel_sums(xp: ArrayNamespace, a: Array) -> Array:
    """``a`` summed over every axis but 1, ``(C,)``, in numpy's order for a C-contiguous
    ``a`` (numpy's own sum where ``a`` is not channels-last)."""
    if not _channels_last(a):
        return xp.sum(a, axis=(0,) + tuple(range(2, a.ndim)), keepdims=False)
    n, c = a.shape[0], a.shape[1]
    last = a.transpose((0,) + tuple(range(2, a.ndim)) + (1,))
    runs = _pairwise(last.reshape(n, -1, c))  # (N, C): each item's run summed
    total: Array = runs[0]
    for i in range(1, n):  # then item after item
        total = total + runs[i]
    return total


def batch_sums(xp: ArrayNamespace, a: Array, axis: Axis) -> Array:
    """``a.sum(axis=axis, keepdims=True)``, in numpy's order for a C-contiguous ``a``
    where ``axis`` is every axis but 1 (a batch normalization's)."""
    if axis != (0,) + tuple(range(2, a.ndim)) or not _channels_last(a):
        total: Array = a.sum(axis=axis, keepdims=True)
        return total
    return channel_sums(xp, a).reshape((1, a.shape[1]) + (1,) * (a.ndim - 2))


def _channels_last(a: Array) -> bool:
    """Whether ``a`` has spatial axes and its channels, not its last axis, are
    contiguous (numpy would then sum it in another order than a C-contiguous one)."""
    return a.ndim >= 3 and a.strides[-1] != a.itemsize and a.strides[1] == a.itemsize and a.shape[1] > 1


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
