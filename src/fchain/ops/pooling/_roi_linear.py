"""The rule of the averaging ROI functions (``roi_average_pooling_2d``,
``roi_average_align_2d``): a separable linear map.

Output bin ``(p, q)`` of ROI ``r`` is ``sum_{h, w} A[r, p, h] B[r, q, w]
x[b_r, :, h, w] / count[r, p, q]`` with ``A`` the bins' weights along the rows,
``B`` along the columns (``_roi_geometry``) and ``count`` the bin's pixel or
sample count (1 for an empty bin, whose sum is 0), divided as Chainer divides.  ``A`` is applied as a band: ``L`` (the
widest bin) gathers of whole rows of x, one per offset into the bins, each
vectorized over every ROI and bin; then ``B`` as one batched ``matmul``.  The
VJP is the transpose: the ``matmul`` with ``B``, then the rows scattered back to
their images (``scatter_add_rows``).  Nothing loops over pixels, ROIs or bins.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core import backend
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["SeparableMap", "apply_map", "transpose_map"]


@dataclass(frozen=True, slots=True)
class SeparableMap:
    """``A`` as bands (``row_first`` ``(R, P)``, ``row_weights`` ``(R, P, L)``),
    ``B`` dense (``cols`` ``(R, Q, W)``), ``count`` ``(R, P, Q)`` and the image of
    each ROI ``(R,)``; weights in x's dtype."""

    row_first: Array
    row_weights: Array
    cols: Array
    count: Array
    image: Array


def _rows(xp: ArrayNamespace, m: SeparableMap, k: int, height: int) -> Array:
    """The row of ``x`` as ``(N * H, C * W)`` that offset ``k`` of each bin reads."""
    return m.image[:, None] * height + xp.clip(m.row_first + k, 0, height - 1)


def apply_map(xp: ArrayNamespace, x: Array, m: SeparableMap) -> Array:
    """``(R, C, P, Q)``: the map applied to ``x`` ``(N, C, H, W)``."""
    n, c, h, w = x.shape
    r, p = m.row_first.shape
    rows = xp.reshape(xp.transpose(x, (0, 2, 1, 3)), (n * h, c * w))
    acc = xp.zeros((r, p, c * w), dtype=x.dtype)
    for k in range(m.row_weights.shape[2]):
        acc = acc + m.row_weights[:, :, k, None] * rows[_rows(xp, m, k, h)]
    y = xp.matmul(xp.reshape(acc, (r, p, c, w)), xp.transpose(m.cols, (0, 2, 1))[:, None])  # (R, P, C, Q)
    return xp.transpose(y / m.count[:, :, None, :], (0, 2, 1, 3))


def transpose_map(xp: ArrayNamespace, gy: Array, m: SeparableMap, x_shape: Shape) -> Array:
    """The VJP: ``gx`` ``x_shape`` for the output gradient ``gy`` ``(R, C, P, Q)``."""
    n, c, h, w = x_shape
    r, p = m.row_first.shape
    g = xp.transpose(gy, (0, 2, 1, 3)) / m.count[:, :, None, :]  # (R, P, C, Q)
    g = xp.reshape(xp.matmul(g, m.cols[:, None]), (r * p, c * w))  # (R * P, C * W)
    gx = xp.zeros((n * h, c * w), dtype=gy.dtype)
    for k in range(m.row_weights.shape[2]):
        weighted = xp.reshape(m.row_weights[:, :, k], (-1, 1)) * g
        gx = gx + backend.scatter_add_rows(xp, n * h, xp.reshape(_rows(xp, m, k, h), (-1,)), weighted)
    return xp.transpose(xp.reshape(gx, (n, h, c, w)), (0, 2, 1, 3))
