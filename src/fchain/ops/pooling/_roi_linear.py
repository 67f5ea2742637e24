"""The rule of the averaging ROI functions (``roi_average_pooling_2d``,
``roi_average_align_2d``): a separable linear map.

Output bin ``(p, q)`` of ROI ``r`` is ``sum_{h, w} A[r, p, h] B[r, q, w]
x[b_r, :, h, w] / count[r, p, q]`` with ``A`` the bins' weights along the rows,
``B`` along the columns (``_roi_geometry``) and ``count`` the bin's pixel or
sample count (1 for an empty bin, whose sum is 0), divided as Chainer divides.

x is read channels-last, ``(N, H, W, C)``, so every gather moves whole channel
vectors.  ``A`` is applied as a band: ``L`` (the widest bin) gathers, one per
offset into the bins, each of every ROI's bins at once and only of the columns
the ROI spans (``B``'s window, ``V`` wide); then ``B`` as one batched ``matmul``.
The VJP is the transpose: the ``matmul`` with ``B``, then each offset's rows
scattered back to their images (``scatter_add_rows``).  Nothing loops over
pixels, ROIs or bins.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core import backend
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["SeparableMap", "apply_map", "transpose_map"]


@dataclass(frozen=True, slots=True)
class SeparableMap:
    """``A`` as bands (``row_first`` ``(R, P)``, ``row_weights`` ``(R, P, L)``),
    ``B`` on its window (``col_first`` ``(R,)``, ``cols`` ``(R, Q, V)``), ``count``
    ``(R, P, Q)`` and the image of each ROI ``(R,)``; weights in x's dtype."""

    row_first: Array
    row_weights: Array
    col_first: Array
    cols: Array
    count: Array
    image: Array


def _pixels(xp: ArrayNamespace, m: SeparableMap, k: int, shape: Shape) -> Array:
    """The flat pixel ``(b * H + h) * W + w`` (a row of x as ``(N * H * W, C)``) that
    offset ``k`` of each bin reads, on each column of its ROI's window: ``(R, P, V)``."""
    _, _, h, w = shape
    rows = xp.clip(m.row_first + k, 0, h - 1)  # (R, P)
    cols = xp.clip(m.col_first[:, None] + xp.arange(m.cols.shape[2])[None, :], 0, w - 1)  # (R, V)
    return (m.image[:, None, None] * h + rows[:, :, None]) * w + cols[:, None, :]


def apply_map(xp: ArrayNamespace, x: Array, m: SeparableMap) -> Array:
    """``(R, C, P, Q)``: the map applied to ``x`` ``(N, C, H, W)``."""
    n, c, h, w = x.shape
    pixels = xp.reshape(xp.transpose(x, (0, 2, 3, 1)), (n * h * w, c))
    r, p = m.row_first.shape
    acc = xp.zeros((r, p, m.cols.shape[2], c), dtype=x.dtype)
    for k in range(m.row_weights.shape[2]):
        acc = acc + m.row_weights[:, :, k, None, None] * pixels[_pixels(xp, m, k, x.shape)]
    y = xp.matmul(m.cols[:, None], acc)  # (R, 1, Q, V) @ (R, P, V, C) -> (R, P, Q, C)
    return xp.transpose(y, (0, 3, 1, 2)) / m.count[:, None]


def transpose_map(xp: ArrayNamespace, gy: Array, m: SeparableMap, x_shape: Shape) -> Array:
    """The VJP: ``gx`` ``x_shape`` for the output gradient ``gy`` ``(R, C, P, Q)``."""
    n, c, h, w = x_shape
    g = xp.transpose(gy / m.count[:, None], (0, 2, 3, 1))  # (R, P, Q, C)
    g = xp.matmul(xp.transpose(m.cols, (0, 2, 1))[:, None], g)  # (R, 1, V, Q) @ (R, P, Q, C) -> (R, P, V, C)
    gx = xp.zeros((n * h * w, c), dtype=gy.dtype)
    for k in range(m.row_weights.shape[2]):
        weighted = xp.reshape(m.row_weights[:, :, k, None, None] * g, (-1, c))
        gx = gx + backend.scatter_add_rows(xp, n * h * w, xp.reshape(_pixels(xp, m, k, x_shape), (-1,)), weighted)
    return xp.transpose(xp.reshape(gx, (n, h, w, c)), (0, 3, 1, 2))
