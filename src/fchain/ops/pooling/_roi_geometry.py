"""Where each output bin of a ROI pooling reads x, one image axis at a time.

Every ROI function is separable: a bin is a rectangle (pooling) or a grid of
sample points (align), so its rows and its columns are found independently, from
the ROIs' start and end along the axis (float64, already multiplied by
``spatial_scale``), vectorized over ROIs and bins.  Chainer's arithmetic, in
float64 as its CPU code runs it:

* pooling (``roi_max_pooling_2d``, ``roi_average_pooling_2d``, ``roi_pooling_2d``):
  the ends are rounded half to even (Python's ``round``), the size is
  ``max(end - start, 1)`` (``+ 1`` inside the max for ``roi_pooling_2d``), and bin
  ``p`` covers ``[floor(p * size / P), ceil((p + 1) * size / P))`` shifted by the
  start and clipped to the image; it may be empty.
* align: the size is ``max(end - start, 1.0)`` unrounded; bin ``p`` holds ``g``
  samples at ``start + (p + (i + 0.5) / g) * size / P`` with ``g`` the sampling
  ratio or ``ceil(size / P)``; a sample beyond one pixel outside the image
  (``< -1`` or ``> limit``) reads nothing, one within it is clamped to the image,
  then interpolated linearly between pixels ``floor`` and ``floor + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.types import Array, ArrayNamespace

__all__ = ["Samples", "align_matrix", "align_samples", "band", "bin_band", "bin_matrix", "floor_int", "pooling_bins",
           "window"]


def floor_int(xp: ArrayNamespace, v: Array) -> Array:
    """``floor(v)`` as int64 (truncation, corrected below zero)."""
    t = v.astype(xp.int64)
    return t - (t > v)


def _ceil_int(xp: ArrayNamespace, v: Array) -> Array:
    return -floor_int(xp, -v)


def _round_half_even(xp: ArrayNamespace, v: Array) -> Array:
    """``v`` rounded to the nearest int64, ties to even (Python's ``round``)."""
    f = floor_int(xp, v)
    d = v - f
    return f + (d > 0.5) + xp.logical_and(d == 0.5, f % 2 == 1)


def pooling_bins(xp: ArrayNamespace, start: Array, end: Array, n_out: int, limit: int,
                 plus_one: bool = False) -> tuple[Array, Array]:
    """Each bin's first pixel and pixel count along one axis, ``(R, n_out)`` int64
    each (the count 0 for a bin outside the image)."""
    first, last = _round_half_even(xp, start), _round_half_even(xp, end)
    size = xp.maximum(last - first + (1 if plus_one else 0), 1).astype(xp.float64)
    stride = xp.reshape(size / n_out, (-1, 1))
    p = xp.reshape(xp.arange(n_out).astype(xp.float64), (1, -1))
    offset = xp.reshape(first, (-1, 1))
    lo = xp.clip(floor_int(xp, p * stride) + offset, 0, limit)
    hi = xp.clip(_ceil_int(xp, (p + 1) * stride) + offset, 0, limit)
    return lo, xp.maximum(hi - lo, 0)


def bin_matrix(xp: ArrayNamespace, lo: Array, count: Array, limit: int) -> Array:
    """The bins as a 0/1 float64 matrix ``(R, n_out, limit)``: pixel ``h`` is in bin
    ``p`` of ROI ``r``."""
    h = xp.reshape(xp.arange(limit), (1, 1, -1))
    inside = xp.logical_and(h >= lo[:, :, None], h < (lo + count)[:, :, None])
    return inside.astype(xp.float64)


@dataclass(frozen=True, slots=True)
class Samples:
    """The sample points of the bins along one axis, ``(R, n_out, G)`` each (``G``
    the largest per-ROI count ``grid``, ``(R,)``): whether a point reads x, its two
    pixels and their float64 weights (summing to 1)."""

    valid: Array
    low: Array
    high: Array
    w_low: Array
    w_high: Array
    grid: Array


def align_samples(xp: ArrayNamespace, start: Array, end: Array, n_out: int, limit: int,
                  ratio: int | None) -> Samples:
    """The align functions' sample points along one axis (see the module docstring)."""
    size = xp.maximum(end - start, 1.0)
    bin_size = size / n_out
    if ratio is None:
        grid = xp.maximum(_ceil_int(xp, bin_size), 1)
    else:
        grid = xp.full(tuple(start.shape), ratio, dtype=xp.int64)
    g = int(grid.max()) if grid.size else 1
    i = xp.reshape(xp.arange(g).astype(xp.float64), (1, 1, -1))
    p = xp.reshape(xp.arange(n_out).astype(xp.float64), (1, -1, 1))
    gr, bs = xp.reshape(grid, (-1, 1, 1)), xp.reshape(bin_size, (-1, 1, 1))
    at = xp.reshape(start, (-1, 1, 1)) + p * bs + (i + 0.5) * bs / gr
    valid = xp.logical_and(xp.logical_and(i < gr, at >= -1.0), at <= float(limit))
    at = xp.clip(at, 0.0, float(limit - 1))
    low = at.astype(xp.int64)  # at >= 0: truncation is floor
    # the weights as Chainer computes them: the distances to low + 1 and to low
    return Samples(valid, low, xp.minimum(low + 1, limit - 1), (low + 1) - at, at - low, grid)


def align_matrix(xp: ArrayNamespace, s: Samples, limit: int) -> Array:
    """The sum of a bin's interpolation weights on each pixel, ``(R, n_out, limit)``
    float64 (not yet divided by the number of samples)."""
    h = xp.reshape(xp.arange(limit), (1, 1, 1, -1))
    on = s.valid[..., None]
    w = xp.where(xp.logical_and(on, h == s.low[..., None]), s.w_low[..., None], 0.0) + \
        xp.where(xp.logical_and(on, h == s.high[..., None]), s.w_high[..., None], 0.0)
    return xp.sum(w, axis=2, keepdims=False)


def band(xp: ArrayNamespace, matrix: Array) -> tuple[Array, Array]:
    """A bins-by-pixels matrix ``(R, n_out, limit)`` as bands: each bin's first pixel
    of nonzero weight ``(R, n_out)`` and the weights from there on ``(R, n_out, L)``,
    ``L`` the widest bin (zero past a bin's end or the image's)."""
    limit = matrix.shape[2]
    nonzero = matrix != 0
    first = xp.argmax(nonzero, axis=2)
    last = limit - 1 - xp.argmax(xp.flip(nonzero, axis=2), axis=2)
    width = xp.where(xp.sum(nonzero, axis=2, keepdims=False) > 0, last - first + 1, 0)
    n = int(width.max()) if width.size else 0
    k = xp.reshape(xp.arange(n), (1, 1, -1))
    at = first[:, :, None] + k
    r = xp.reshape(xp.arange(matrix.shape[0]), (-1, 1, 1))
    p = xp.reshape(xp.arange(matrix.shape[1]), (1, -1, 1))
    weights = xp.where(at < limit, matrix[r, p, xp.minimum(at, limit - 1)], 0.0)
    return first, weights


def bin_band(xp: ArrayNamespace, lo: Array, count: Array) -> tuple[Array, Array]:
    """Pixel bins as bands (``band``'s form without the matrix): the first pixel
    and 0/1 float64 weights ``(R, n_out, L)``, ``L`` the largest count."""
    n = int(count.max()) if count.size else 0
    k = xp.reshape(xp.arange(n), (1, 1, -1))
    return lo, (k < count[:, :, None]).astype(xp.float64)


def window(xp: ArrayNamespace, matrix: Array) -> tuple[Array, Array]:
    """The columns a ROI's bins read, ``matrix`` ``(R, Q, W)`` cut to a window: each
    ROI's first column of nonzero weight ``(R,)`` and the weights from there on
    ``(R, Q, V)``, ``V`` the widest ROI's span (zero past the image).  The rules
    then gather ``V`` columns per ROI instead of the image's ``W``."""
    r, q, limit = matrix.shape
    used = xp.sum(matrix != 0, axis=1, keepdims=False) > 0  # (R, W)
    start = xp.where(xp.sum(used, axis=1, keepdims=False) > 0, xp.argmax(used, axis=1), 0)
    end = limit - xp.argmax(xp.flip(used, axis=1), axis=1)
    span = int(xp.maximum(end - start, 1).max()) if r else 1
    at = start[:, None, None] + xp.reshape(xp.arange(span), (1, 1, -1))
    ri = xp.reshape(xp.arange(r), (-1, 1, 1))
    qi = xp.reshape(xp.arange(q), (1, -1, 1))
    return start, xp.where(at < limit, matrix[ri, qi, xp.minimum(at, limit - 1)], 0.0)
