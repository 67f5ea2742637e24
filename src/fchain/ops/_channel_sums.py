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

from fchain.types import Array, ArrayNamespace, Axis, DTypeLike

__all__ = ["ItemSums", "add_items", "batch_sums", "channel_sums", "channels_last", "item_sums", "run_sums"]

_BLOCK = 128  # numpy's PW_BLOCKSIZE
_UNROLL = 8


def channel_sums(xp: ArrayNamespace, a: Array) -> Array:
    """``a`` summed over every axis but 1, ``(C,)``, in numpy's order for a C-contiguous
    ``a`` (numpy's own sum where ``a`` is not channels-last)."""
    if not channels_last(a):
        return xp.sum(a, axis=(0,) + tuple(range(2, a.ndim)), keepdims=False)
    n, c = a.shape[0], a.shape[1]
    sums = ItemSums(xp, n, a.size // (n * c), c, a.dtype)
    sums.add(a.transpose((0,) + tuple(range(2, a.ndim)) + (1,)).reshape(n, -1, c), 0)
    return sums.total()


def item_sums(a: Array) -> Array:
    """Each item's sum per channel, ``(N, C)``, of ``a (N, C, *spatial)``: numpy's
    pairwise sum of each run of an item's positions (the positions of a channel are
    one run in a C-contiguous array)."""
    n, c = a.shape[0], a.shape[1]
    last = a.transpose((0,) + tuple(range(2, a.ndim)) + (1,))
    return run_sums(last.reshape(n, -1, c))


class ItemSums:
    """``channel_sums`` of a batch of ``n`` items, ``p`` positions and ``c`` channels
    fed a chunk of items at a time: ``add(t, start)`` takes ``t (nb, p, c)`` (items
    ``start:start + nb``), ``total()`` gives the ``(C,)`` sums.

    Where numpy's pairwise sum splits a run of ``p`` into equal blocks of whole
    groups of 8 (``p`` a multiple of 8 up to 128, or such a block times a power of
    two: 8x8, 16x16, 32x32 images), a chunk costs one reduction (each block's 8
    interleaved partial sums) and the rest of the tree is summed once for the
    batch; other lengths replay the whole tree chunk by chunk (``run_sums``)."""

    def __init__(self, xp: ArrayNamespace, n: int, p: int, c: int, dtype: DTypeLike) -> None:
        self.xp, self.n, self.p, self.c, self.dtype = xp, n, p, c, dtype
        self.block = _uniform_block(p)
        self.partials = xp.zeros((n, p // self.block, _UNROLL * c), dtype=dtype) if self.block else None
        self.runs: list[Array] = []
        self.fed = False  # whether add() was called

    def add(self, t: Array, start: int) -> None:
        self.fed = True
        nb = t.shape[0]
        if self.partials is None:
            self.runs.append(run_sums(t))
            return
        blocks = t.reshape(nb, self.p // self.block, self.block // _UNROLL, _UNROLL * self.c)
        # numpy's sum over an outer axis adds its slices one after another: the
        # order of the unrolled loop, r[j] = t[j] + t[8 + j] + ...
        self.partials[start:start + nb] = blocks.sum(axis=2)

    def total(self) -> Array:
        if self.n == 0 or self.p == 0:  # an empty batch
            return self.xp.zeros((self.c,), dtype=self.dtype)
        if self.partials is None:
            total: Array | None = None
            for runs in self.runs:
                total = add_items(total, runs)
            assert total is not None  # a batch has items
            return total
        r = self.partials.reshape(self.n, -1, 4, 2, self.c)
        pairs = r[:, :, :, 0] + r[:, :, :, 1]  # r0 + r1, r2 + r3, r4 + r5, r6 + r7
        quads = pairs[:, :, 0::2] + pairs[:, :, 1::2]
        blocks = quads[:, :, 0] + quads[:, :, 1]  # (N, blocks, C)
        while blocks.shape[1] > 1:  # equal halves, as numpy's recursion pairs them
            blocks = blocks[:, 0::2] + blocks[:, 1::2]
        return add_items(None, blocks[:, 0])


def add_items(total: Array | None, sums: Array) -> Array:
    """``total`` plus the rows of ``sums`` one after another (numpy's order over the
    items of a batch); ``total`` None starts from the first row."""
    for i in range(sums.shape[0]):
        total = sums[i] if total is None else total + sums[i]
    assert total is not None  # at least one item
    return total


def batch_sums(xp: ArrayNamespace, a: Array, axis: Axis) -> Array:
    """``a.sum(axis=axis, keepdims=True)``, in numpy's order for a C-contiguous ``a``
    where ``axis`` is every axis but 1 (a batch normalization's)."""
    if axis != (0,) + tuple(range(2, a.ndim)) or not channels_last(a):
        total: Array = a.sum(axis=axis, keepdims=True)
        return total
    return channel_sums(xp, a).reshape((1, a.shape[1]) + (1,) * (a.ndim - 2))


def channels_last(a: Array) -> bool:
    """Whether ``a`` has spatial axes and its channels, not its last axis, are
    contiguous (numpy would then sum it in another order than a C-contiguous one)."""
    return (a.ndim >= 3 and a.size > 0 and a.strides[-1] != a.itemsize and a.strides[1] == a.itemsize
            and a.shape[1] > 1)


def run_sums(t: Array) -> Array:
    """``t (B, n, C)`` summed over axis 1, ``(B, C)``, as numpy's pairwise sum adds a
    run of ``n`` values."""
    b, n, c = t.shape
    if n < _UNROLL:
        total: Array = t[:, 0].copy()
        for i in range(1, n):
            total += t[:, i]
        return total
    if n <= _BLOCK:
        # The 8 partial sums r[j] = t[j] + t[8 + j] + ... : numpy's sum over an outer
        # axis adds its slices one after another, the order of the unrolled loop.
        end = n - n % _UNROLL
        r = t[:, :end].reshape(b, end // _UNROLL, _UNROLL * c).sum(axis=1).reshape(b, 4, 2, c)
        pairs = r[:, :, 0] + r[:, :, 1]  # r0 + r1, r2 + r3, r4 + r5, r6 + r7
        quads = pairs[:, 0::2] + pairs[:, 1::2]
        total = quads[:, 0] + quads[:, 1]
        for i in range(end, n):
            total += t[:, i]
        return total
    half = n // 2
    half -= half % _UNROLL
    if 2 * half == n:  # both halves the same: one call over twice the rows
        both = run_sums(t.reshape(b * 2, half, c)).reshape(b, 2, c)
        return both[:, 0] + both[:, 1]
    return run_sums(t[:, :half]) + run_sums(t[:, half:])


def _uniform_block(n: int) -> int:
    """The block numpy's pairwise sum splits a run of ``n`` into when every block is
    the same whole number of groups of 8 (0 where not)."""
    if n < _UNROLL:
        return 0
    if n <= _BLOCK:
        return n if n % _UNROLL == 0 else 0
    half = n // 2
    half -= half % _UNROLL
    return _uniform_block(half) if 2 * half == n else 0
