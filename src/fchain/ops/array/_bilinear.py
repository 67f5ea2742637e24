"""Bilinear sampling at fixed pixel positions, shared by ``resize_images``.

The output pixel ``(i, j)`` is ``sum_c w_c[i, j] * x[..., V_c[i], U_c[j]]`` over the
four corners ``c`` = (top, left), (top, right), (bottom, left), (bottom, right) of
the cell it falls in.  ``Corners`` holds the corners' rows ``V`` (shape
``(4, out_H, 1)``), columns ``U`` (``(4, 1, out_W)``) and weights ``W``
(``(4, out_H, out_W)``, in x's dtype), so the forward is one gather of all four
corners, ``x[:, :, V, U]``, and a weighted sum.

The backward scatters ``gy * w_c`` back to the corners' pixels in one pass, in
corner-major order, accumulated in float64 and rounded once to ``gy``'s dtype: the
order and precision of Chainer's ``bincount``, so its numbers are reproduced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fchain.ops.array._scatter import GatherIndex
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["Corners", "Scatter", "gather", "spread"]

Scatter = Callable[[ArrayNamespace, Array, GatherIndex, Shape], Array]
"""``_scatter.scatter`` (first order) or its recorded variant (second order)."""


@dataclass(frozen=True, slots=True, eq=False)
class Corners:
    """The four corners' rows ``V``, columns ``U`` and weights ``W``, on x's device."""

    V: Array
    U: Array
    W: Array


def gather(xp: ArrayNamespace, x: Array, corners: Corners) -> Array:
    """The weighted sum of the four corners' pixels: ``(B, C, out_H, out_W)``.

    The products are summed left to right, top-left, top-right, bottom-left,
    bottom-right: the order of Chainer's CPU path (its ``einsum``; its GPU kernel
    sums in pairs, which differs by an ulp or so).
    """
    p = x[:, :, corners.V, corners.U]  # (B, C, 4, out_H, out_W)
    w = corners.W
    y: Array = w[0] * p[:, :, 0] + w[1] * p[:, :, 1] + w[2] * p[:, :, 2] + w[3] * p[:, :, 3]
    return y


def spread(xp: ArrayNamespace, gy: Array, corners: Corners, in_shape: Shape, scatter: Scatter) -> Array:
    """The gradient of ``gather`` with respect to x: each output gradient, times each
    corner's weight, added to that corner's pixel."""
    values = xp.asarray(xp.expand_dims(gy, 2) * corners.W, dtype=xp.float64)  # (B, C, 4, out_H, out_W)
    index: GatherIndex = (slice(None), slice(None), corners.V, corners.U)
    return xp.asarray(scatter(xp, values, index, in_shape), dtype=gy.dtype)
