"""Bilinear sampling at fixed pixel positions, shared by ``resize_images``.

The output pixel ``(i, j)`` is ``sum_c w_c[i, j] * x[..., V_c[i], U_c[j]]`` over the
four corners ``c`` = (top, left), (top, right), (bottom, left), (bottom, right) of
the cell it falls in.  ``Corners`` holds the corners' rows ``V`` (shape
``(4, out_H, 1)``), columns ``U`` (``(4, 1, out_W)``) and weights ``W``
(``(4, out_H, out_W)``, in x's dtype), so the forward is one gather of all four
corners and a weighted sum.

The backward scatters ``gy * w_c`` back to the corners' pixels in one pass, in
corner-major order, accumulated in float64 and rounded once to ``gy``'s dtype: the
order and precision of Chainer's ``bincount``, so its numbers are reproduced.  The
flat positions are ``planes + pixels``: each image plane's start (``planes``,
``(B * C, 1)``) plus each corner's pixel in the plane (``Corners.pixels``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.ops.array._scatter import FlatScatter
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["Corners", "gather", "spread"]


@dataclass(frozen=True, slots=True, eq=False)
class Corners:
    """The four corners' rows ``V``, columns ``U`` and weights ``W``, and their flat
    positions in one image plane (``pixels``, ``V * width + U`` raveled), on x's device."""

    V: Array
    U: Array
    W: Array
    pixels: Array


def gather(xp: ArrayNamespace, x: Array, corners: Corners) -> Array:
    """The weighted sum of the four corners' pixels: ``(B, C, out_H, out_W)``, C-contiguous.

    The products are summed left to right, top-left, top-right, bottom-left,
    bottom-right: the order of Chainer's CPU path (its ``einsum``; its GPU kernel
    sums in pairs, which differs by an ulp or so).  The pixels are gathered from
    x viewed as ``(H, W, B, C)``, so the gather and the sums run over contiguous
    ``(B, C)`` rows; the result is copied to C order once at the end.
    """
    p = xp.transpose(x, (2, 3, 0, 1))[corners.V, corners.U]  # (4, out_H, out_W, B, C)
    w = xp.expand_dims(xp.expand_dims(corners.W, -1), -1)  # (4, out_H, out_W, 1, 1)
    y = w[0] * p[0] + w[1] * p[1] + w[2] * p[2] + w[3] * p[3]
    out: Array = xp.transpose(y, (2, 3, 0, 1)).copy()  # C order, whatever the layout came
    return out


def spread(xp: ArrayNamespace, gy: Array, corners: Corners, planes: Array, in_shape: Shape,
           scatter: FlatScatter) -> Array:
    """The gradient of ``gather`` with respect to x: each output gradient, times each
    corner's weight, added to that corner's pixel."""
    values = xp.asarray(xp.expand_dims(gy, 2) * corners.W, dtype=xp.float64)  # (B, C, 4, out_H, out_W)
    positions = (planes + corners.pixels).reshape(-1)  # constants: plain array arithmetic at every order
    size = in_shape[0] * in_shape[1] * in_shape[2] * in_shape[3]
    return xp.reshape(xp.asarray(scatter(xp, values, positions, size), dtype=gy.dtype), in_shape)
