"""spatial_transformer_sampler(x, grid): images ``x`` ``(B, C, H, W)`` sampled
bilinearly at the points of ``grid`` ``(B, 2, out_H, out_W)``.

``grid[b, 0]`` and ``grid[b, 1]`` are x and y coordinates in ``[-1, 1]``
(``(-1, -1)`` the upper-left pixel); points outside sample a zero border (x padded
by one pixel of zeros, the coordinates clipped to it), as Chainer.  Chainer's
arithmetic, step by step: the coordinates are scaled to the padded image,
``u = (gx + 1) * (W - 1) / 2 + 1``, clipped to ``[0, W + 1]``; the corners are
``u0 = clip(floor(u), 0, W)`` and ``u0 + 1``; the weights are computed in float64
(an int32 corner minus a coordinate) and rounded to x's dtype.

Everything is vectorised over the batch and the pixels: one gather per corner,
``x_pad[b, :, v, u]`` with a batch index array, and in the backward one
scatter-add of all four corners' contributions in Chainer's order (so the sums,
in x's dtype, are Chainer's).  VJP: ``gx`` those scatters (cropped to x), and
``ggrid`` the derivative of the interpolation along each coordinate, zero where
the coordinate was clipped.  Residuals: (x, grid).

Not differentiable twice: Chainer 7's sampler is an old-style function without
double backprop, and so is this op (``double_differentiable=False``).  At the
pixel lattice (integer ``u`` or ``v``) the interpolation has a kink; the gradient
there is the one-sided derivative toward the larger coordinate (the cell
``[floor(u), floor(u) + 1]``), Chainer's choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import Array, ArrayNamespace

__all__ = ["SPATIAL_TRANSFORMER_SAMPLER", "spatial_transformer_sampler"]


@dataclass(frozen=True, slots=True)
class _Cells:
    """Per sampled point, ``(B, out_H * out_W)`` each: the scaled coordinates
    ``u``, ``v`` (before clipping), the corners ``u0``, ``v0`` (int32; ``u1 = u0 + 1``)
    and the float64 distances to the cell's sides: ``du0 = u - u0``, ``du1 = u1 - u``
    (of the clipped ``u``), and likewise for ``v``."""

    u: Array
    v: Array
    u0: Array
    v0: Array
    du0: Array
    du1: Array
    dv0: Array
    dv1: Array


def _cells(xp: ArrayNamespace, x: Array, grid: Array) -> _Cells:
    b, _, h, w = x.shape
    flat = xp.reshape(grid, (b, 2, -1))
    u = (flat[:, 0] + 1) * (w - 1) / 2 + 1
    v = (flat[:, 1] + 1) * (h - 1) / 2 + 1
    uc, vc = xp.clip(u, 0, w + 1), xp.clip(v, 0, h + 1)
    u0 = xp.clip(uc.astype(xp.int32), 0, w)  # uc >= 0: truncation is floor
    v0 = xp.clip(vc.astype(xp.int32), 0, h)
    return _Cells(u, v, u0, v0, uc - u0, (u0 + 1) - uc, vc - v0, (v0 + 1) - vc)


def _corner_pixels(xp: ArrayNamespace, x: Array, c: _Cells) -> tuple[Array, Array, Array, Array]:
    """The padded image's pixels at the four corners, ``(B, out_H * out_W, C)`` each:
    (v0, u0), (v0, u1), (v1, u0), (v1, u1)."""
    x_pad = xp.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    batch = xp.reshape(xp.arange(x.shape[0]), (-1, 1))
    u1, v1 = c.u0 + 1, c.v0 + 1
    return (x_pad[batch, :, c.v0, c.u0], x_pad[batch, :, c.v0, u1],
            x_pad[batch, :, v1, c.u0], x_pad[batch, :, v1, u1])


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x, grid = inputs
    b, ch = x.shape[:2]
    c = _cells(xp, x, grid)
    dtype = x.dtype
    w1 = (c.du1 * c.dv1).astype(dtype)[:, :, None]
    w2 = (c.du0 * c.dv1).astype(dtype)[:, :, None]
    w3 = (c.du1 * c.dv0).astype(dtype)[:, :, None]
    w4 = (c.du0 * c.dv0).astype(dtype)[:, :, None]
    x1, x2, x3, x4 = _corner_pixels(xp, x, c)
    y = w1 * x1 + w2 * x2 + w3 * x3 + w4 * x4  # (B, out_H * out_W, C), Chainer's order
    out = xp.transpose(xp.reshape(y, (b,) + tuple(grid.shape[2:]) + (ch,)), (0, 3, 1, 2))
    return (out,), (x, grid)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    x, grid = residuals
    b, ch, h, w = x.shape
    gy = grads[0]
    dtype = gy.dtype
    c = _cells(xp, x, grid)
    du0, du1 = c.du0.astype(dtype), c.du1.astype(dtype)
    dv0, dv1 = c.dv0.astype(dtype), c.dv1.astype(dtype)
    x1, x2, x3, x4 = _corner_pixels(xp, x, c)
    # d/du and d/dv of the interpolation at each point, summed over the channels
    g = xp.transpose(xp.reshape(gy, (b, ch, -1)), (0, 2, 1))  # (B, out_H * out_W, C)
    gu = -dv1[:, :, None] * x1 + dv1[:, :, None] * x2 - dv0[:, :, None] * x3 + dv0[:, :, None] * x4
    gv = -du1[:, :, None] * x1 - du0[:, :, None] * x2 + du1[:, :, None] * x3 + du0[:, :, None] * x4
    gu = xp.sum(gu * g, axis=2, keepdims=False)
    gv = xp.sum(gv * g, axis=2, keepdims=False)
    gu = gu / 2.0 * (w - 1) * xp.greater(c.u, 0) * xp.less(c.u, w + 1)
    gv = gv / 2.0 * (h - 1) * xp.greater(c.v, 0) * xp.less(c.v, h + 1)
    ggrid = xp.reshape(xp.stack([gu, gv], axis=1), tuple(grid.shape))
    # every corner's share of gy, scattered into the padded image in one pass
    gc = xp.reshape(gy, (b, ch, -1))
    values = xp.stack([gc * du1[:, None] * dv1[:, None], gc * du0[:, None] * dv1[:, None],
                       gc * du1[:, None] * dv0[:, None], gc * du0[:, None] * dv0[:, None]])
    # flat positions in the padded image: plane (b, c) starts at (b * C + c) * (H + 2) * (W + 2)
    u1, v1 = c.u0 + 1, c.v0 + 1
    pixels = xp.stack([c.v0 * (w + 2) + c.u0, c.v0 * (w + 2) + u1, v1 * (w + 2) + c.u0, v1 * (w + 2) + u1])
    planes = xp.reshape(xp.arange(b * ch) * ((h + 2) * (w + 2)), (1, b, ch, 1))
    positions = xp.reshape(planes + xp.expand_dims(pixels, 2), (-1,))  # (4, B, C, P), as values
    size = b * ch * (h + 2) * (w + 2)
    gx_pad = xp.reshape(backend.scatter_add_flat(xp, size, positions, values), (b, ch, h + 2, w + 2))
    return gx_pad[:, :, 1:-1, 1:-1], ggrid


def _check(arrays: Inputs, params: None) -> None:
    x, grid = arrays
    if x.ndim != 4:
        raise ShapeError(f"spatial_transformer_sampler: x must be 4-d (batch, channel, height, width), "
                         f"got shape {tuple(x.shape)}")
    if grid.ndim != 4 or grid.shape[1] != 2 or grid.shape[0] != x.shape[0]:
        raise ShapeError(f"spatial_transformer_sampler: grid must have shape (B, 2, out_H, out_W) with "
                         f"B = x.shape[0] = {x.shape[0]}, got {tuple(grid.shape)}")
    return None


def _sample(draw: Draw) -> Case:
    b, ch, h, w = draw.integer(1, 2), draw.integer(1, 2), draw.integer(2, 4), draw.integer(2, 4)
    out_hw = (draw.integer(1, 3), draw.integer(1, 3))
    # pixel coordinates of the padded image in (0, W + 1), at least 0.1 from the lattice
    cells = draw.integers((b, 2) + out_hw, 0, max(h, w))
    offsets = draw.floats((b, 2) + out_hw, low=0.1, high=0.9)
    size = [w, h]
    grid = cells + offsets
    for k in (0, 1):
        grid[:, k] = (grid[:, k] % (size[k] + 1) - 1) * 2 / (size[k] - 1) - 1
    return Case((draw.floats((b, ch, h, w)), grid), spatial_transformer_sampler)


SPATIAL_TRANSFORMER_SAMPLER: OpDef[None] = register(OpDef(
    "spatial_transformer_sampler", _forward, _vjp,
    GradSpec(_sample, double=False, conventions=(
        "at an integer pixel coordinate the grid gradient is the derivative over the cell above it",
        "at and beyond the zero border's outer edge the grid gradient is 0")),
    arg_names=("x", "grid"), check=_check, float_inputs=(0, 1), double_differentiable=False,
    broadcasts=False))


def spatial_transformer_sampler(x: VariableLike, grid: VariableLike) -> Variable:
    """Sample ``x`` ``(B, C, H, W)`` bilinearly at ``grid`` ``(B, 2, out_H, out_W)``
    (x then y coordinates in ``[-1, 1]``; outside, a zero border): the output is
    ``(B, C, out_H, out_W)``."""
    try:
        return apply(SPATIAL_TRANSFORMER_SAMPLER, (x, grid), None)
    except TypeError:
        name_arrays("spatial_transformer_sampler", ("x", x), ("grid", grid))
        raise
