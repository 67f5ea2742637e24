"""The three array computations of a (grouped, strided, padded, dilated) N-d
convolution, shared by ``convolution_nd`` and ``deconvolution_nd``:

* ``forward(x, W)``: ``y[n, o, q] = sum_{c, k} W[o, c, k] x_pad[n, c, s q + d k]``;
* ``backward_data(gy, W)``: the adjoint in ``x`` (a deconvolution's forward);
* ``backward_filter(col, gy)``: the adjoint in ``W``, from the columns of ``x``.

Layout: channels first throughout, as the arrays come.  The columns of ``x`` are
``im2col``'s ``(N, C, *ksize, *out)``, read as ``N`` matrices ``(C k, P)`` (``P``
output positions), so every product is one batched ``matmul`` with no transposing
copy: ``W (O, C k) @ col (N, C k, P) -> y (N, O, P)`` is already ``(N, O, *out)``.
Groups split the channel axes into ``G`` blocks and batch over them as well.
The large results (the columns, their products) come from ``core.workspace``'s
pool: measured 14% faster per CNN step than fresh arrays, whose pages fault.

A stride-1 "flat" layout (each kernel offset one contiguous run of the flattened
padded image, so the copies stream) was measured too and dropped: the junk
positions it adds to every product and the re-layout of ``gy`` cost more than the
contiguous copies saved (0.30 against 0.25-0.27 s of CPU per CNN step).
"""

from __future__ import annotations

from fchain.core import workspace
from fchain.ops._windows import Windows, col2im, im2col, product
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["backward_data", "backward_filter", "columns", "forward"]


def columns(xp: ArrayNamespace, x: Array, w: Windows) -> Array:
    """``x``'s windows ``(N, C, *ksize, *out)`` (zero padded)."""
    return im2col(xp, x, w)


def forward(xp: ArrayNamespace, col: Array, W: Array, groups: int) -> Array:
    """``y (N, O, *out)`` from the columns ``col`` of ``x`` and ``W (O, C / G, *ksize)``."""
    n, c = col.shape[0], col.shape[1]
    o = W.shape[0]
    ndim = (col.ndim - 2) // 2
    out = tuple(col.shape[2 + ndim:])
    k = product(tuple(W.shape[2:]))
    p = product(out)
    if groups == 1:
        y = workspace.matmul(xp, W.reshape(o, c * k), col.reshape(n, c * k, p))
    else:
        g = groups
        y = W.reshape(g, o // g, c // g * k) @ col.reshape(n, g, c // g * k, p)
    return y.reshape((n, o) + out)


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


def backward_data(xp: ArrayNamespace, gy: Array, W: Array, w: Windows, groups: int) -> Array:
    """The gradient ``(N, C, *size)`` of ``forward`` in ``x`` for the output gradient
    ``gy (N, O, *out)``: the columns ``W^T gy`` added back into the image, or, for an
    ungrouped stride-1 convolution, the "full" convolution of ``gy`` with the flipped
    and transposed kernel (im2col's copies instead of col2im's additions: measured
    faster per CNN step)."""
    n, o = gy.shape[0], gy.shape[1]
    full = _full_windows(w) if groups == 1 else None
    if full is not None:
        flip = (slice(None), slice(None)) + (slice(None, None, -1),) * w.ndim
        axes = (1, 0) + tuple(range(2, 2 + w.ndim))
        return forward(xp, im2col(xp, gy, full), W[flip].transpose(axes), 1)
    k = product(w.ksize)
    c = W.shape[1] * groups
    p = product(w.out)
    if groups == 1:
        gcol = workspace.matmul(xp, W.reshape(o, c * k).T, gy.reshape(n, o, p))
    else:
        g = groups
        gcol = W.reshape(g, o // g, c // g * k).transpose(0, 2, 1) @ gy.reshape(n, g, o // g, p)
    return col2im(xp, gcol.reshape((n, c) + w.ksize + w.out), w)


def backward_filter(xp: ArrayNamespace, col: Array, gy: Array, W_shape: Shape, groups: int) -> Array:
    """The gradient ``W_shape`` of ``forward`` in ``W``: ``sum_n gy[n] col[n]^T``."""
    n, c = col.shape[0], col.shape[1]
    o = gy.shape[1]
    k = product(tuple(W_shape[2:]))
    p = product(tuple(gy.shape[2:]))
    if groups == 1:
        per_item = workspace.matmul(xp, gy.reshape(n, o, p), col.reshape(n, c * k, p).transpose(0, 2, 1))
    else:
        g = groups
        per_item = gy.reshape(n, g, o // g, p) @ col.reshape(n, g, c // g * k, p).transpose(0, 1, 3, 2)
    gW = xp.sum(per_item, axis=0, keepdims=False)
    return gW.reshape(W_shape)
