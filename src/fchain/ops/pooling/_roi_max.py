"""The rules of the maximizing ROI functions: the maximum over each bin's pixels
(``roi_max_pooling_2d``, ``roi_pooling_2d``) or over its bilinear samples
(``roi_max_align_2d``), and the VJPs that send each output's gradient to where
that maximum was read.

Pixel bins are rectangles, so the maximum is taken in two passes: over each
bin's rows (one gather per offset into the bins, of every ROI's bins at once, on
the columns the ROI spans, channels-last), then over its columns.  Ties go to the first maximum in
raster order of the bin (the smallest row, then the smallest column), as
Chainer's ``argmax``: the row pass keeps the first row, the column pass a later
column only for a larger value or an equal one from an earlier row.  Align
samples are visited in Chainer's order (``iy`` then ``ix``, strictly greater
wins), each sample of every ROI and bin at once, interpolated in float64 from its
four pixels as Chainer's CPU code does.  An empty bin (or one whose samples all fall outside the image)
gives ``-inf`` and no gradient, as Chainer 7 on the CPU.

The gradients are one ``scatter_add_flat`` over the outputs in C order, each
adding to its maximum's pixel (or the four pixels of its sample, in Chainer's
corner order), so the sums are made in Chainer's order (for align, each float64 share rounded
to x's dtype as it is added, as Chainer's CPU code does).
"""

from __future__ import annotations

from fchain.core import backend
from fchain.ops.pooling._roi_geometry import Samples
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["max_align", "max_align_grad", "max_bins", "max_bins_grad"]

_NEG_INF = float("-inf")


def _columns(xp: ArrayNamespace, a: Array, cols: Array) -> Array:
    """``a`` ``(R, P, V, C)`` at the columns ``cols`` ``(R, Q)``: ``(R, Q, P, C)``."""
    return a[xp.reshape(xp.arange(a.shape[0]), (-1, 1)), :, cols, :]


def max_bins(xp: ArrayNamespace, x: Array, image: Array, row_lo: Array, row_n: Array,
             col_lo: Array, col_n: Array) -> tuple[Array, Array]:
    """Each bin's maximum ``(R, C, P, Q)`` and its pixel ``h * W + w`` in its image
    (int64, -1 for an empty bin).  x is read channels-last, each ROI's rows only
    on the columns it spans (its window, ``V`` wide: the bins' columns ascend)."""
    n, c, h, w = x.shape
    r, p = row_lo.shape
    pixels = xp.reshape(xp.transpose(x, (0, 2, 3, 1)), (n * h * w, c))
    first = col_lo[:, 0]
    span = int(xp.maximum((col_lo + col_n)[:, -1] - first, 1).max()) if r else 1
    window = xp.clip(first[:, None] + xp.arange(span)[None, :], 0, w - 1)[:, None, :]  # (R, 1, V)
    best = xp.full((r, p, span, c), _NEG_INF, dtype=x.dtype)
    best_row = xp.full((r, p, span, c), -1, dtype=xp.int64)
    for k in range(int(row_n.max()) if row_n.size else 0):
        rows = xp.clip(row_lo + k, 0, h - 1)
        cand = pixels[(image[:, None, None] * h + rows[:, :, None]) * w + window]
        take = xp.logical_and((k < row_n)[:, :, None, None], cand > best)
        best = xp.where(take, cand, best)
        best_row = xp.where(take, rows[:, :, None, None], best_row)
    q = col_lo.shape[1]
    y = xp.full((r, q, p, c), _NEG_INF, dtype=x.dtype)
    y_row = xp.full((r, q, p, c), h, dtype=xp.int64)
    y_col = xp.full((r, q, p, c), -1, dtype=xp.int64)
    for k in range(int(col_n.max()) if col_n.size else 0):
        local = xp.clip(col_lo + k - first[:, None], 0, span - 1)
        cand, cand_row = _columns(xp, best, local), _columns(xp, best_row, local)
        tie = xp.logical_and(xp.logical_and(cand == y, cand_row >= 0), cand_row < y_row)
        take = xp.logical_and((k < col_n)[:, :, None, None], (cand > y) | tie)
        y = xp.where(take, cand, y)
        y_row = xp.where(take, cand_row, y_row)
        y_col = xp.where(take, (local + first[:, None])[:, :, None, None], y_col)
    pixel = xp.where(y_col >= 0, y_row * w + y_col, -1)
    return xp.transpose(y, (0, 3, 2, 1)), xp.transpose(pixel, (0, 3, 2, 1))


def _planes(xp: ArrayNamespace, image: Array, x_shape: Shape) -> Array:
    """The flat offset of plane ``(image[r], c)`` of x, ``(R, C, 1, 1)``."""
    _, c, h, w = x_shape
    return xp.reshape((image[:, None] * c + xp.arange(c)[None, :]) * (h * w), (-1, c, 1, 1))


def max_bins_grad(xp: ArrayNamespace, gy: Array, image: Array, pixel: Array, x_shape: Shape) -> Array:
    """``gy`` ``(R, C, P, Q)`` added at each bin's maximum: ``gx`` of ``x_shape``."""
    hit = pixel >= 0
    positions = xp.where(hit, _planes(xp, image, x_shape) + pixel, 0)
    n, c, h, w = x_shape
    flat = backend.scatter_add_flat(xp, n * c * h * w, xp.reshape(positions, (-1,)), xp.where(hit, gy, 0.0))
    return xp.reshape(flat, tuple(x_shape))


def max_align(xp: ArrayNamespace, x: Array, image: Array, ys: Samples, xs: Samples
              ) -> tuple[Array, Array, Array]:
    """Each bin's largest sample ``(R, C, P, Q)`` and which one, as the sample's row
    and column in the bin's grid (int64, -1 where no sample reads x).  A sample is
    its four pixels' weighted sum in float64, in Chainer's order, then compared
    and rounded to x's dtype as Chainer does."""
    r, p, gy_ = ys.low.shape
    q, gx_ = xs.low.shape[1], xs.low.shape[2]
    c = x.shape[1]
    b = xp.reshape(image, (-1, 1, 1))
    best = xp.full((r, p, q, c), _NEG_INF, dtype=xp.float64)
    best_iy = xp.full((r, p, q, c), -1, dtype=xp.int64)
    best_ix = xp.full((r, p, q, c), -1, dtype=xp.int64)
    for iy in range(gy_):
        y_lo, y_hi = ys.low[:, :, iy, None], ys.high[:, :, iy, None]  # (R, P, 1)
        wy_lo, wy_hi = ys.w_low[:, :, iy, None], ys.w_high[:, :, iy, None]
        for ix in range(gx_):
            x_lo, x_hi = xs.low[:, None, :, ix], xs.high[:, None, :, ix]  # (R, 1, Q)
            wx_lo, wx_hi = xs.w_low[:, None, :, ix], xs.w_high[:, None, :, ix]
            cand = (wy_lo * wx_lo)[..., None] * x[b, :, y_lo, x_lo].astype(xp.float64) + \
                (wy_lo * wx_hi)[..., None] * x[b, :, y_lo, x_hi].astype(xp.float64) + \
                (wy_hi * wx_lo)[..., None] * x[b, :, y_hi, x_lo].astype(xp.float64) + \
                (wy_hi * wx_hi)[..., None] * x[b, :, y_hi, x_hi].astype(xp.float64)  # (R, P, Q, C)
            ok = xp.logical_and(ys.valid[:, :, iy, None], xs.valid[:, None, :, ix])[..., None]
            take = xp.logical_and(ok, cand > best)
            best = xp.where(take, cand, best)
            best_iy = xp.where(take, iy, best_iy)
            best_ix = xp.where(take, ix, best_ix)
    order = (0, 3, 1, 2)
    return (xp.transpose(best, order).astype(x.dtype), xp.transpose(best_iy, order),
            xp.transpose(best_ix, order))


def max_align_grad(xp: ArrayNamespace, gy: Array, image: Array, ys: Samples, xs: Samples,
                   arg_iy: Array, arg_ix: Array, x_shape: Shape) -> Array:
    """``gy`` ``(R, C, P, Q)`` spread over the four pixels of each bin's largest
    sample by their interpolation weights: ``gx`` of ``x_shape``."""
    n, c, h, w = x_shape
    r, p, q = ys.low.shape[0], ys.low.shape[1], xs.low.shape[1]
    ri = xp.reshape(xp.arange(r), (-1, 1, 1, 1))
    pi = xp.reshape(xp.arange(p), (1, 1, -1, 1))
    qi = xp.reshape(xp.arange(q), (1, 1, 1, -1))
    hit = arg_iy >= 0
    iy, ix = xp.maximum(arg_iy, 0), xp.maximum(arg_ix, 0)
    y_lo, y_hi = ys.low[ri, pi, iy], ys.high[ri, pi, iy]
    x_lo, x_hi = xs.low[ri, qi, ix], xs.high[ri, qi, ix]
    wy_lo, wy_hi = ys.w_low[ri, pi, iy], ys.w_high[ri, pi, iy]
    wx_lo, wx_hi = xs.w_low[ri, qi, ix], xs.w_high[ri, qi, ix]
    pixels = xp.stack([y_lo * w + x_lo, y_lo * w + x_hi, y_hi * w + x_lo, y_hi * w + x_hi], axis=-1)
    weights = xp.stack([wy_lo * wx_lo, wy_lo * wx_hi, wy_hi * wx_lo, wy_hi * wx_hi], axis=-1)
    positions = xp.where(hit[..., None], _planes(xp, image, x_shape)[..., None] + pixels, 0)
    values = xp.where(hit[..., None], gy[..., None].astype(xp.float64) * weights, 0.0)  # Chainer's float64
    flat = backend.scatter_add_flat(xp, n * c * h * w, xp.reshape(positions, (-1,)), values, gy.dtype)
    return xp.reshape(flat, tuple(x_shape))
