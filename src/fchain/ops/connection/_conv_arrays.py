"""The three array computations of a (grouped, strided, padded, dilated) N-d
convolution, shared by ``convolution_nd`` and ``deconvolution_nd``:

* ``forward(x, W)``: ``y[n, o, q] = sum_{c, k} W[o, c, k] x_pad[n, c, s q + d k]``;
* ``backward_data(gy, W)``: the adjoint in ``x`` (a deconvolution's forward);
* ``backward_filter(cols, gy)``: the adjoint in ``W``, from the columns of ``x``.

Layout: channels first throughout, as the arrays come.  The columns of ``x`` are
read as ``N`` matrices ``(C k, P)`` (``P`` output positions), so every product is
one batched ``matmul`` with no transposing copy: ``W (O, C k) @ col (N, C k, P) ->
y (N, O, P)`` is already ``(N, O, *out)``.  Groups split the channel axes into
``G`` blocks and batch over them as well.

``Columns`` are either ``im2col``'s ``(N, C, *ksize, *out)`` or, for stride 1 (every
3x3 "same" convolution of a CNN), the flat form of ``_windows.FlatWindows``: each
kernel offset one contiguous run of the flattened padded image, so building the
columns and adding them back stream through memory; the product then covers
junk positions between the rows (a few percent more work), dropped from the
output and zero in the extended output gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core import workspace
from fchain.ops._windows import (FlatWindows, Windows, col2im, extend, flat_col2im, flat_im2col,
                                 flat_windows, im2col, product)
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["Columns", "backward_data", "backward_filter", "columns", "forward", "output_matrices"]


@dataclass(frozen=True, slots=True, eq=False)
class Columns:
    """The columns of an image as ``(N, C k, P)`` matrices, and their layout (``flat``
    when they are ``FlatWindows`` runs)."""

    matrices: Array
    flat: FlatWindows | None


def columns(xp: ArrayNamespace, x: Array, w: Windows) -> Columns:
    """``x``'s windows (zero padded), in the flat layout where the strides allow."""
    n, c = x.shape[0], x.shape[1]
    f = flat_windows(w)
    if f is not None:
        col = flat_im2col(xp, x, w, f)
        return Columns(col.reshape(n, c * len(f.starts), f.length), f)
    return Columns(im2col(xp, x, w).reshape(n, c * product(w.ksize), product(w.out)), None)


def _product(xp: ArrayNamespace, W: Array, col: Array, groups: int) -> Array:
    """``W (O, C/G, *k) @ col (N, C k, P) -> (N, O, P)``, per group."""
    n, ck, p = col.shape
    o = W.shape[0]
    if groups == 1:
        return workspace.matmul(xp, W.reshape(o, ck), col)
    g = groups
    return (W.reshape(g, o // g, ck // g) @ col.reshape(n, g, ck // g, p)).reshape(n, o, p)


def forward(xp: ArrayNamespace, cols: Columns, W: Array, w: Windows, groups: int) -> Array:
    """``y (N, O, *out)`` from the columns of ``x`` and ``W (O, C / G, *ksize)``."""
    y = _product(xp, W, cols.matrices, groups)
    n, o = y.shape[0], y.shape[1]
    f = cols.flat
    if f is None:
        return y.reshape((n, o) + w.out)
    return y.reshape((n, o) + f.extended)[f.valid]


def output_matrices(xp: ArrayNamespace, gy: Array, f: FlatWindows | None) -> Array:
    """``gy (N, O, *out)`` as ``(N, O, P)`` in the columns' layout (computed once when
    both gradients need it)."""
    n, o = gy.shape[0], gy.shape[1]
    if f is None:
        return gy.reshape(n, o, product(tuple(gy.shape[2:])))
    return extend(xp, gy, f)


def backward_data(xp: ArrayNamespace, gy: Array, W: Array, w: Windows, groups: int,
                  g_mat: Array | None = None) -> Array:
    """The gradient ``(N, C, *size)`` of ``forward`` in ``x`` for the output gradient
    ``gy (N, O, *out)`` (or its ``output_matrices`` ``g_mat``): the columns ``W^T gy``
    added back into the image."""
    n, o = gy.shape[0], gy.shape[1]
    k = product(w.ksize)
    c = W.shape[1] * groups
    f = flat_windows(w)
    if g_mat is None:
        g_mat = output_matrices(xp, gy, f)
    p = g_mat.shape[2]
    if groups == 1:
        gcol = workspace.matmul(xp, W.reshape(o, c * k).T, g_mat)
    else:
        g = groups
        gcol = W.reshape(g, o // g, c // g * k).transpose(0, 2, 1) @ g_mat.reshape(n, g, o // g, p)
    if f is not None:
        return flat_col2im(xp, gcol.reshape(n, c, k, p), w, f)
    return col2im(xp, gcol.reshape((n, c) + w.ksize + w.out), w)


def backward_filter(xp: ArrayNamespace, cols: Columns, gy: Array, W_shape: Shape, groups: int,
                    g_mat: Array | None = None) -> Array:
    """The gradient ``W_shape`` of ``forward`` in ``W``: ``sum_n gy[n] col[n]^T``
    (``g_mat``: ``gy``'s ``output_matrices``, when already made)."""
    col = cols.matrices
    n, ck, p = col.shape
    if g_mat is None:
        g_mat = output_matrices(xp, gy, cols.flat)
    o = g_mat.shape[1]
    if groups == 1:
        per_item = workspace.matmul(xp, g_mat, col.transpose(0, 2, 1))
    else:
        g = groups
        per_item = g_mat.reshape(n, g, o // g, p) @ col.reshape(n, g, ck // g, p).transpose(0, 1, 3, 2)
    gW = xp.sum(per_item, axis=0, keepdims=False)
    return gW.reshape(W_shape)
