"""Batch normalization of a channels-last ``x`` (a convolution's output), a few batch
items at a time: the same arithmetic as ``batch_normalization``'s general rules, in
the same order of rounding, with fewer trips through memory and longer loops.

The general rules make each intermediate (``x - mean``, its square, ``x_hat``,
``x_hat * gamma``, ...) as a whole array, so every step is a pass through memory:
about a dozen passes over ``x``'s size for the forward and as many for the
backward.  Here each is made for a chunk of items while the chunk is in the cache,
and only what is kept (``x_hat``, ``y``, ``gx``) goes back to memory: the forward
reads ``x`` three times (the mean, the variance, the output) and the backward reads
``gy`` and ``x_hat`` twice (the two sums, the gradient).  The per-channel arithmetic works on wide rows
(``_wide_rows``).  The sums are ``_channel_sums``' replay of numpy's order for a
C-contiguous array (each item's pairwise sums, then item after item), so the
numbers are the general rules' bit for bit (``tests/ops/test_channels_last_layouts.py``).
"""

from __future__ import annotations

from fchain.core import workspace
from fchain.ops._channel_sums import ItemSums, channel_sums, channels_last
from fchain.ops._wide_rows import repeats, tiled
from fchain.types import Array, ArrayNamespace, DTypeLike, Shape

__all__ = ["backward", "forward", "takes"]

_TEMPORARIES = 3  # the chunk and two temporaries of its size in the cache at once


def takes(x: Array, gamma: Array, axis: tuple[int, ...]) -> bool:
    """Whether these rules apply: a channels-last ``x`` normalized per channel (the
    default axes of a convolution's output), in gamma's dtype."""
    return (x.dtype == gamma.dtype and gamma.ndim == 1 and axis == (0,) + tuple(range(2, x.ndim))
            and channels_last(x))


class _Layout:
    """``a (N, C, *spatial)`` as wide rows: ``R`` positions of an item per row, whole
    items per chunk of rows."""

    def __init__(self, xp: ArrayNamespace, a: Array) -> None:
        self.xp = xp
        self.n, self.c = a.shape[0], a.shape[1]
        self.spatial: Shape = tuple(a.shape[2:])
        self.p = a.size // (self.n * self.c)
        self.r = repeats(self.p, self.c)
        self.per_item = self.p // self.r
        step = workspace.batch_chunk(xp, self.n, _TEMPORARIES * self.p * self.c * a.itemsize)
        self.chunks = [(start, min(self.n, start + step)) for start in range(0, self.n, step)]

    def wide(self, a: Array) -> Array:
        """``a``'s values as wide rows (a view of a channels-last ``a``)."""
        last = a.transpose((0,) + tuple(range(2, a.ndim)) + (1,))
        return last.reshape(self.n * self.per_item, self.r * self.c)

    def rows(self, start: int, stop: int) -> slice:
        return slice(start * self.per_item, stop * self.per_item)

    def runs(self, w: Array, start: int, stop: int) -> Array:
        """Wide rows of the items ``start:stop`` as ``(items, positions, C)``."""
        return w.reshape(stop - start, self.p, self.c)

    def empty(self, dtype: DTypeLike) -> Array:
        return workspace.empty(self.xp, (self.n * self.per_item, self.r * self.c), dtype)

    def image(self, w: Array) -> Array:
        """Wide rows back as ``(N, C, *spatial)``, a channels-last view."""
        last = w.reshape((self.n,) + self.spatial + (self.c,))
        return last.transpose((0, last.ndim - 1) + tuple(range(1, last.ndim - 1)))

    def tile(self, v: Array) -> Array:
        return tiled(self.xp, v, self.r)

    def sums(self, dtype: DTypeLike) -> ItemSums:
        """An accumulator of per-channel sums over the batch, fed by chunks."""
        return ItemSums(self.xp, self.n, self.p, self.c, dtype)


def forward(xp: ArrayNamespace, x: Array, gamma: Array, beta: Array, eps: float,
            m: int) -> tuple[Array, Array, Array, Array, Array]:
    """``(y, mean, var, inv_std, x_hat)``, the statistics with x's dims (length 1 but
    for the channels); ``y`` and ``x_hat`` channels-last, as ``x``."""
    lay = _Layout(xp, x)
    bshape = (1, lay.c) + (1,) * len(lay.spatial)
    xw = lay.wide(x)
    mean = channel_sums(xp, x) / m
    mean_t = lay.tile(mean)
    squares = lay.sums(x.dtype)
    for start, stop in lay.chunks:
        d = xw[lay.rows(start, stop)] - mean_t
        d *= d
        squares.add(lay.runs(d, start, stop), start)
    var = squares.total() / m
    inv_std = 1.0 / xp.sqrt(var + eps)
    inv_t, g_t, b_t = lay.tile(inv_std), lay.tile(gamma), lay.tile(beta)
    x_hat, y = lay.empty(x.dtype), lay.empty(x.dtype)
    for start, stop in lay.chunks:  # each step written where it is kept, in place
        rows = lay.rows(start, stop)
        d = workspace.ufunc_into(xp, xp.subtract, xw[rows], mean_t, out=x_hat[rows])  # as the first time
        d *= inv_t
        t = workspace.ufunc_into(xp, xp.multiply, d, g_t, out=y[rows])
        t += b_t
    return (lay.image(y), mean.reshape(bshape), var.reshape(bshape), inv_std.reshape(bshape),
            lay.image(x_hat))


def backward(xp: ArrayNamespace, gamma: Array, x_hat: Array, inv_std: Array, gy: Array,
             m: int) -> tuple[Array, Array, Array]:
    """``(gx, ggamma, gbeta)``, the last two ``(C,)``; ``gy`` channels-last."""
    lay = _Layout(xp, gy)
    gyw, xhw = lay.wide(gy), lay.wide(x_hat)
    beta_sums, gamma_sums = lay.sums(gy.dtype), lay.sums(gy.dtype)
    for start, stop in lay.chunks:
        rows = lay.rows(start, stop)
        g = gyw[rows]
        beta_sums.add(lay.runs(g, start, stop), start)
        gamma_sums.add(lay.runs(g * xhw[rows], start, stop), start)
    gbeta, ggamma = beta_sums.total(), gamma_sums.total()
    scale_t = lay.tile(gamma * inv_std.reshape(-1))
    ggamma_t, gbeta_t = lay.tile(ggamma), lay.tile(gbeta)
    gx = lay.empty(gy.dtype)
    for start, stop in lay.chunks:  # gx = scale (gy - (x_hat ggamma + gbeta) / m), in place
        rows = lay.rows(start, stop)
        t = workspace.ufunc_into(xp, xp.multiply, xhw[rows], ggamma_t, out=gx[rows])
        t += gbeta_t
        t *= 1.0 / m
        workspace.ufunc_into(xp, xp.subtract, gyw[rows], t, out=t)
        t *= scale_t
    return lay.image(gx), ggamma, gbeta
