"""The array computations of a (grouped, strided, padded, dilated) N-d convolution,
shared by ``convolution_nd`` and ``deconvolution_nd``:

* ``forward(x, W, b)``: ``y[n, o, q] = sum_{c, k} W[o, c, k] x_pad[n, c, s q + d k] + b[o]``;
* ``backward(gy, x=, W=)``: its adjoints, in ``x`` (a deconvolution's forward; also
  ``backward_data``) and in ``W`` (also ``backward_filter``), in one pass over ``gy``.

Layout (``_columns_last``): channels last, and the batch taken a few items at a
time.  Each chunk's columns ``(nb P, G, K C / G)`` feed one GEMM per group whose rows
are output positions, written straight into the channels-last result, which is
returned as a transposed ``(N, O, *out)`` view (the next convolution reads it back
without a copy).  Measured on the CNN benchmark's layers (64 x 32 x 32 x 32, 3x3,
one thread): building the columns of the whole batch and multiplying them cost 63
ms, the same in cache-sized chunks 26 ms, the GEMM alone 20 ms; the columns never
leave the cache, so nothing is kept between the forward and the backward but
``x`` itself (the backward builds a chunk's columns again, from the cache).

The input gradient of an ungrouped or grouped stride-1 convolution whose padding
stays within the dilated kernel is the "full" convolution of ``gy`` with the flipped
kernel (window copies of ``gy`` instead of additions of columns into the image);
other strides add the columns ``gy W`` back into a chunk of the padded image.
"""

from __future__ import annotations

from fchain.core import workspace
from fchain.ops._windows import Windows, product, spatial_interior
from fchain.ops.connection._columns_last import Columns, add_columns, channels_first, channels_last
from fchain.types import Array, ArrayNamespace

__all__ = ["backward", "backward_data", "backward_filter", "forward"]


def _weights(W: Array, groups: int) -> Array:
    """``W (O, C / G, *ksize)`` as ``(G, K C / G, O / G)``: the columns' order (tap, then
    channel) along the rows (a small copy)."""
    o, cg, k = W.shape[0], W.shape[1], product(tuple(W.shape[2:]))
    return W.reshape(groups, o // groups, cg, k).transpose(0, 3, 2, 1).reshape(groups, k * cg, o // groups)


def _flipped_weights(W: Array, groups: int) -> Array:
    """The kernel of the full convolution that maps ``gy`` back onto ``x``: ``(G, K O /
    G, C / G)``, entry ``[g, k, o, c] = W[g O / G + o, c, flipped k]`` (reversing the
    raster order of the taps flips every spatial axis)."""
    o, cg, k = W.shape[0], W.shape[1], product(tuple(W.shape[2:]))
    flipped = W.reshape(groups, o // groups, cg, k)[..., ::-1]
    return flipped.transpose(0, 3, 1, 2).reshape(groups, k * (o // groups), cg)


def _full_windows(w: Windows) -> Windows | None:
    """For a stride-1 convolution whose padding stays within the dilated kernel, the
    windows of the "full" convolution that maps ``gy`` back onto ``x``: ``gy`` padded
    by ``d (k - 1) - p``, read by the flipped kernel (``None`` otherwise)."""
    if any(s != 1 for s in w.stride):
        return None
    pad = tuple(d * (k - 1) - q for k, d, q in zip(w.ksize, w.dilate, w.pad))
    if any(q < 0 for q in pad):
        return None
    full = Windows(w.out, w.ksize, w.stride, pad, w.dilate, w.size)
    return full if full.padded_size == tuple(o + 2 * q for o, q in zip(w.out, pad)) else None


def forward(xp: ArrayNamespace, x: Array, W: Array, w: Windows, groups: int, b: Array | None = None) -> Array:
    """``y (N, O, *out)`` (a channels-last array's view) from ``x (N, C, *size)``,
    ``W (O, C / G, *ksize)`` and the bias ``b (O,)`` (added to each chunk while it is
    in the cache)."""
    n, c, o = x.shape[0], x.shape[1], W.shape[0]
    p, k = product(w.out), product(w.ksize)
    w2 = _weights(W, groups)
    y = workspace.empty(xp, (n * p, groups, o // groups), x.dtype)
    step = workspace.batch_chunk(xp, n, p * k * c * x.itemsize)
    columns = Columns(xp, channels_last(x), w, groups, step)
    bias = None if b is None else b.reshape(groups, o // groups)
    for start in range(0, n, step):
        stop = min(n, start + step)
        rows = y[start * p:stop * p]
        workspace.matmul_into(xp, columns(start, stop).transpose(1, 0, 2), w2, rows.transpose(1, 0, 2))
        if bias is not None:
            rows += bias
    return channels_first(y.reshape((n,) + w.out + (o,)))


def backward(xp: ArrayNamespace, gy: Array, w: Windows, groups: int, *, x: Array | None = None,
             W: Array | None = None) -> tuple[Array | None, Array | None]:
    """The gradients of ``forward`` for the output gradient ``gy (N, O, *out)``: in
    ``x`` (given ``W``) and in ``W`` (given ``x``), each None where not asked for; one
    loop over the chunks, so each chunk of ``gy`` is laid out once for both."""
    n, o = gy.shape[0], gy.shape[1]
    og = o // groups
    p, k = product(w.out), product(w.ksize)
    itemsize = gy.itemsize
    gyl = channels_last(gy)
    grad_x = _DataGradient(xp, W, w, groups, n, o) if W is not None else None
    grad_w = _FilterGradient(xp, x, w, groups, o) if x is not None else None
    item = (0 if grad_x is None else grad_x.item_size) + (0 if grad_w is None else grad_w.item_size)
    step = workspace.batch_chunk(xp, n, item * itemsize)
    if grad_x is not None:
        grad_x.prepare(step, gyl)
    if grad_w is not None:
        grad_w.prepare(step)
    for start in range(0, n, step):
        stop = min(n, start + step)
        rows = gyl[start:stop].reshape((stop - start) * p, groups, og)  # a copy where gy is not channels-last
        if grad_w is not None:
            grad_w.add(rows, start, stop)
        if grad_x is not None:
            grad_x.add(rows, start, stop)
    return (None if grad_x is None else grad_x.result(),
            None if grad_w is None else grad_w.result())


class _FilterGradient:
    """``gW = sum_n gy[n]^T cols(x[n])``, accumulated chunk by chunk."""

    def __init__(self, xp: ArrayNamespace, x: Array, w: Windows, groups: int, o: int) -> None:
        self.xp, self.x, self.w, self.groups, self.o = xp, x, w, groups, o
        self.c = x.shape[1]
        self.item_size = product(w.out) * product(w.ksize) * self.c
        self.total: Array | None = None
        self.columns: Columns | None = None

    def prepare(self, step: int) -> None:
        self.columns = Columns(self.xp, channels_last(self.x), self.w, self.groups, step)

    def add(self, rows: Array, start: int, stop: int) -> None:
        assert self.columns is not None  # prepare() came first
        cols = self.columns(start, stop)
        part = self.xp.matmul(rows.transpose(1, 2, 0), cols.transpose(1, 0, 2))  # (G, O / G, K C / G)
        if self.total is None:
            self.total = part
        else:
            self.total += part

    def result(self) -> Array:
        g, cg, k = self.groups, self.c // self.groups, product(self.w.ksize)
        total = self.total
        if total is None:  # an empty batch
            total = self.xp.zeros((g, self.o // g, k * cg), dtype=self.x.dtype)
        gw = total.reshape(g, self.o // g, k, cg).transpose(0, 1, 3, 2)
        return gw.reshape((self.o, cg) + self.w.ksize)


class _DataGradient:
    """``gx``, chunk by chunk: the full convolution of ``gy`` with the flipped kernel
    where ``_full_windows`` allows, else ``gy W`` added back into the padded image."""

    def __init__(self, xp: ArrayNamespace, W: Array, w: Windows, groups: int, n: int, o: int) -> None:
        self.xp, self.w, self.groups, self.n, self.o = xp, w, groups, n, o
        self.c = W.shape[1] * groups
        self.dtype = W.dtype
        self.full = _full_windows(w)
        k, p, ps = product(w.ksize), product(w.out), product(w.size)
        if self.full is not None:
            self.weights = _flipped_weights(W, groups)  # (G, K O / G, C / G)
            self.gx = workspace.empty(xp, (n * ps, groups, self.c // groups), self.dtype)
            self.item_size = ps * k * o + product(self.full.padded_size) * o
        else:
            self.weights = _weights(W, groups).transpose(0, 2, 1)  # (G, O / G, K C / G)
            self.gx = workspace.empty(xp, (n,) + w.size + (self.c,), self.dtype)
            self.item_size = p * k * self.c + product(w.padded_size) * self.c
        self.columns: Columns | None = None  # of gy, over the full windows
        self.buf: Array | None = None  # a chunk of the padded image, for the added columns
        self.col: Array | None = None

    def prepare(self, step: int, gyl: Array) -> None:
        xp, w, g = self.xp, self.w, self.groups
        if self.full is not None:
            self.columns = Columns(xp, gyl, self.full, g, step)
            return
        if w.needs_padding:
            self.buf = workspace.empty(xp, (step,) + w.padded_size + (self.c,), self.dtype)
        self.col = workspace.empty(xp, (step,) + w.out + (g, product(w.ksize), self.c // g), self.dtype)

    def add(self, rows: Array, start: int, stop: int) -> None:
        nb, w, g = stop - start, self.w, self.groups
        if self.columns is not None:
            ps = product(w.size)
            workspace.matmul_into(self.xp, self.columns(start, stop).transpose(1, 0, 2), self.weights,
                                  self.gx[start * ps:stop * ps].transpose(1, 0, 2))
            return
        assert self.col is not None  # prepare() came first
        cols = self.col[:nb]
        flat = cols.reshape(nb * product(w.out), g, -1)
        workspace.matmul_into(self.xp, rows.transpose(1, 0, 2), self.weights, flat.transpose(1, 0, 2))
        image = self.gx[start:stop] if self.buf is None else self.buf[:nb]
        image.fill(0)
        add_columns(image, cols, w, g)
        if self.buf is not None:
            self.gx[start:stop] = image[(slice(None),) + spatial_interior(w) + (slice(None),)]

    def result(self) -> Array:
        return channels_first(self.gx.reshape((self.n,) + self.w.size + (self.c,)))


def backward_data(xp: ArrayNamespace, gy: Array, W: Array, w: Windows, groups: int) -> Array:
    """The gradient ``(N, C, *size)`` of ``forward`` in ``x`` for ``gy (N, O, *out)``."""
    gx, _ = backward(xp, gy, w, groups, W=W)
    assert gx is not None
    return gx


def backward_filter(xp: ArrayNamespace, x: Array, gy: Array, w: Windows, groups: int) -> Array:
    """The gradient ``(O, C / G, *ksize)`` of ``forward`` in ``W``."""
    _, gW = backward(xp, gy, w, groups, x=x)
    assert gW is not None
    return gW

