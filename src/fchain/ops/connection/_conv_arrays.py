"""The array computations of a (grouped, strided, padded, dilated) N-d convolution,
shared by ``convolution_nd`` and ``deconvolution_nd``:

* ``forward(x, W, b)``: ``y[n, o, q] = sum_{c, k} W[o, c, k] x_pad[n, c, s q + d k] + b[o]``;
* ``backward(gy, x=, W=)``: its adjoints, in ``x`` (a deconvolution's forward; also
  ``backward_data``) and in ``W`` (also ``backward_filter``).

Layout (``_columns_last``): channels last, and the batch taken a few items at a
time.  Each chunk's columns ``(nb P, G, K C / G)`` feed one GEMM per group whose rows
are output positions, written straight into the channels-last result, which is
returned as a transposed ``(N, O, *out)`` view (the next convolution reads it back
without a copy).  Measured on the CNN benchmark's layers (64 x 32 x 32 x 32, 3x3,
one thread): building the columns of the whole batch and multiplying them cost 63
ms, the same in cache-sized chunks 26 ms, the GEMM alone 20 ms; the columns never
leave the cache, so nothing is kept between the forward and the backward but
``x`` itself.

The input gradient of a stride-1 convolution whose padding stays within the
dilated kernel is the "full" convolution of ``gy`` with the flipped kernel (window
copies of ``gy`` instead of additions of columns into the image), and its filter
gradient comes from the same columns of ``gy`` against the rows of ``x``: one
column build per chunk for both (measured: the CNN step 8% faster than building
the columns of ``x`` again for the filter gradient).  Other strides add the columns
``gy W`` back into a chunk of the padded image, and take the filter gradient from
the columns of ``x``, built again, a chunk at a time, from the cache.
"""

from __future__ import annotations

from fchain.core import workspace
from fchain.ops._channel_sums import ItemSums
from fchain.ops._wide_rows import repeats, tiled
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
    r = repeats(p, o)  # the bias is added to wide rows of r positions (_wide_rows: longer loops)
    bias = None if b is None else tiled(xp, b, r)
    for start in range(0, n, step):
        stop = min(n, start + step)
        rows = y[start * p:stop * p]
        workspace.matmul_into(xp, columns(start, stop).transpose(1, 0, 2), w2, rows.transpose(1, 0, 2))
        if bias is not None:
            wide = rows.reshape(-1, r * o)
            wide += bias
    return channels_first(y.reshape((n,) + w.out + (o,)))


def backward(xp: ArrayNamespace, gy: Array, w: Windows, groups: int, *, x: Array | None = None,
             W: Array | None = None, bias: bool = False) -> tuple[Array | None, Array | None, Array | None]:
    """The gradients of ``forward`` for the output gradient ``gy (N, O, *out)``: in
    ``x`` (given ``W``), in ``W`` (given ``x``) and in the bias (``bias``), each None
    where not asked for.

    Where the input gradient is the full convolution of ``gy`` (``_full_windows``),
    the filter gradient comes from the same columns of ``gy``, against ``x``'s rows:
    ``gW[o, c, k] = sum_q x[q, c] gy_full[q + flipped k, o]``, so a chunk's columns
    are built once for both products (those of ``x`` are never built).  The bias
    gradient is summed from the same chunks of ``gy`` while they are in the cache
    (``ItemSums``: numpy's order for a channels-first ``gy``, as Chainer sums it)."""
    sums = _bias_sums(xp, gy) if bias else None
    gx: Array | None
    full = _full_windows(w) if W is not None else None
    if full is not None:
        assert W is not None  # full windows are only asked for the input gradient
        gx, gW = _through_full_columns(xp, gy, w, full, groups, W, x, sums)
    else:
        gx = None if W is None else _data_by_added_columns(xp, gy, W, w, groups)
        gW = None if x is None else _filter_by_columns_of_x(xp, x, gy, w, groups, sums)
    if sums is not None and not sums.fed and gy.size:
        sums.add(channels_last(gy).reshape(gy.shape[0], -1, gy.shape[1]), 0)
    return gx, gW, None if sums is None else sums.total()


def _bias_sums(xp: ArrayNamespace, gy: Array) -> ItemSums:
    return ItemSums(xp, gy.shape[0], product(tuple(gy.shape[2:])), gy.shape[1], gy.dtype)


def _chunks(xp: ArrayNamespace, n: int, item_bytes: int) -> tuple[int, list[tuple[int, int]]]:
    """The chunk size for items of ``item_bytes`` temporaries, and the chunks."""
    step = workspace.batch_chunk(xp, n, item_bytes)
    return step, [(start, min(n, start + step)) for start in range(0, n, step)]


def _through_full_columns(xp: ArrayNamespace, gy: Array, w: Windows, full: Windows, groups: int, W: Array,
                          x: Array | None, sums: ItemSums | None) -> tuple[Array, Array | None]:
    n, o = gy.shape[0], gy.shape[1]
    c = W.shape[1] * groups
    ps, k = product(w.size), product(w.ksize)
    step, chunks = _chunks(xp, n, (ps * k * o + product(full.padded_size) * o) * gy.itemsize)
    columns = Columns(xp, channels_last(gy), full, groups, step)
    wf = _flipped_weights(W, groups)  # (G, K O / G, C / G)
    gx = workspace.empty(xp, (n * ps, groups, c // groups), gy.dtype)
    xl = None if x is None else channels_last(x)
    gyl = channels_last(gy)
    total: Array | None = None
    for start, stop in chunks:
        if sums is not None:
            sums.add(gyl[start:stop].reshape(stop - start, -1, o), start)
        cols = columns(start, stop).transpose(1, 0, 2)  # (G, nb P_x, K O / G)
        workspace.matmul_into(xp, cols, wf, gx[start * ps:stop * ps].transpose(1, 0, 2))
        if xl is not None:
            rows = xl[start:stop].reshape((stop - start) * ps, groups, c // groups).transpose(1, 0, 2)
            part = xp.matmul(cols.transpose(0, 2, 1), rows)  # (G, K O / G, C / G), taps flipped
            if total is None:
                total = part
            else:
                total += part
    if xl is not None and total is None:  # an empty batch
        total = xp.zeros((groups, k * (o // groups), c // groups), dtype=gy.dtype)
    gW = None
    if total is not None:
        flipped = total.reshape(groups, k, o // groups, c // groups)[:, ::-1]
        gW = flipped.transpose(0, 2, 3, 1).reshape((o, c // groups) + w.ksize)
    return channels_first(gx.reshape((n,) + w.size + (c,))), gW


def _data_by_added_columns(xp: ArrayNamespace, gy: Array, W: Array, w: Windows, groups: int) -> Array:
    """``gx``: each chunk's columns ``gy W`` added back into its padded image."""
    n, o = gy.shape[0], gy.shape[1]
    c = W.shape[1] * groups
    g, cg = groups, c // groups
    p, k = product(w.out), product(w.ksize)
    step, chunks = _chunks(xp, n, (p * k * c + product(w.padded_size) * c) * gy.itemsize)
    weights = _weights(W, groups).transpose(0, 2, 1)  # (G, O / G, K C / G)
    gxl = workspace.empty(xp, (n,) + w.size + (c,), gy.dtype)
    buf = workspace.empty(xp, (step,) + w.padded_size + (c,), gy.dtype) if w.needs_padding else None
    col = workspace.empty(xp, (step,) + w.out + (g, k, cg), gy.dtype)
    gyl = channels_last(gy)
    interior = (slice(None),) + spatial_interior(w) + (slice(None),)
    for start, stop in chunks:
        nb = stop - start
        rows = gyl[start:stop].reshape(nb * p, g, o // g)  # a copy where gy is not channels-last
        cols = col[:nb]
        flat = cols.reshape(nb * p, g, k * cg)
        workspace.matmul_into(xp, rows.transpose(1, 0, 2), weights, flat.transpose(1, 0, 2))
        image = gxl[start:stop] if buf is None else buf[:nb]
        image.fill(0)
        add_columns(image, cols, w, g)
        if buf is not None:
            gxl[start:stop] = image[interior]
    return channels_first(gxl)


def _filter_by_columns_of_x(xp: ArrayNamespace, x: Array, gy: Array, w: Windows, groups: int,
                            sums: ItemSums | None = None) -> Array:
    """``gW = sum_n gy[n]^T cols(x[n])``, accumulated chunk by chunk."""
    n, c, o = x.shape[0], x.shape[1], gy.shape[1]
    g, cg = groups, c // groups
    p, k = product(w.out), product(w.ksize)
    step, chunks = _chunks(xp, n, p * k * c * x.itemsize)
    columns = Columns(xp, channels_last(x), w, groups, step)
    gyl = channels_last(gy)
    total: Array | None = None
    for start, stop in chunks:
        rows = gyl[start:stop].reshape((stop - start) * p, g, o // g)  # a copy where gy is not channels-last
        if sums is not None:
            sums.add(rows.reshape(stop - start, p, o), start)
        part = xp.matmul(rows.transpose(1, 2, 0), columns(start, stop).transpose(1, 0, 2))  # (G, O / G, K C / G)
        if total is None:
            total = part
        else:
            total += part
    if total is None:  # an empty batch
        total = xp.zeros((g, o // g, k * cg), dtype=x.dtype)
    return total.reshape(g, o // g, k, cg).transpose(0, 1, 3, 2).reshape((o, cg) + w.ksize)


def backward_data(xp: ArrayNamespace, gy: Array, W: Array, w: Windows, groups: int) -> Array:
    """The gradient ``(N, C, *size)`` of ``forward`` in ``x`` for ``gy (N, O, *out)``."""
    gx, _, _ = backward(xp, gy, w, groups, W=W)
    assert gx is not None
    return gx


def backward_filter(xp: ArrayNamespace, x: Array, gy: Array, w: Windows, groups: int) -> Array:
    """The gradient ``(O, C / G, *ksize)`` of ``forward`` in ``W``."""
    _, gW, _ = backward(xp, gy, w, groups, x=x)
    assert gW is not None
    return gW

