"""spatial_transformer_grid(theta, output_shape): the sampling grid of a spatial
transformer, ``(B, 2, out_H, out_W)``, for affine maps ``theta`` of shape ``(B, 2, 3)``.

Output pixel ``(i, j)`` gets the source coordinates ``theta @ (x_j, y_i, 1)``, with
``x_j`` and ``y_i`` spread evenly over ``[-1, 1]`` (numpy's ``linspace`` in float64,
rounded to theta's dtype, as Chainer); channel 0 of the grid is the x coordinate,
channel 1 the y coordinate.  The forward is one ``matmul`` with the constant
``(3, out_H * out_W)`` matrix of those points; VJP: ``gy @ points.T`` (``matmul``, so
double backprop differentiates it again, which Chainer 7's old-style function
cannot).  Residuals: none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable, as_array
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays, shape_arg
from fchain.types import Array, ArrayNamespace, DTypeLike

__all__ = ["SPATIAL_TRANSFORMER_GRID", "GridParams", "spatial_transformer_grid"]


@dataclass(frozen=True, slots=True, eq=False)
class GridParams:
    """``points``: the ``(3, out_H * out_W)`` matrix of ``(x_j, y_i, 1)``, in theta's
    dtype and on its device; ``out_hw``: ``(out_H, out_W)``."""

    points: Array
    out_hw: tuple[int, int]


def _forward(xp: ArrayNamespace, inputs: Inputs, p: GridParams) -> Forwarded:
    theta = inputs[0]
    return (xp.reshape(xp.matmul(theta, p.points), (theta.shape[0], 2) + p.out_hw),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: GridParams) -> Grads:
    gy = grads[0]
    flat = xp.reshape(gy, (gy.shape[0], 2, p.out_hw[0] * p.out_hw[1]))
    return (xp.matmul(flat, xp.transpose(p.points, (1, 0))),)


def _linspace(xp: ArrayNamespace, n: int) -> Array:
    """numpy's ``linspace(-1, 1, n)`` in float64: ``arange(n) * step - 1``, the last
    point exactly 1."""
    if n == 1:
        return xp.full((1,), -1.0, dtype=xp.float64)
    y = xp.arange(n) * (2.0 / (n - 1)) - 1.0
    return xp.concatenate([y[:-1], xp.ones((1,), dtype=xp.float64)])


def _points(xp: ArrayNamespace, out_h: int, out_w: int, dtype: DTypeLike) -> Array:
    xs = xp.broadcast_to(xp.asarray(_linspace(xp, out_w), dtype=dtype)[None, :], (out_h, out_w))
    ys = xp.broadcast_to(xp.asarray(_linspace(xp, out_h), dtype=dtype)[:, None], (out_h, out_w))
    ones = xp.ones((out_h, out_w), dtype=dtype)
    return xp.reshape(xp.stack([xs, ys, ones]), (3, out_h * out_w))


def _check(arrays: Inputs, p: GridParams) -> GridParams:
    theta = arrays[0]
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3):
        raise ShapeError(f"spatial_transformer_grid: theta must have shape (B, 2, 3), got {tuple(theta.shape)}")
    return p


def _sample(draw: Draw) -> Case:
    out = (draw.integer(1, 4), draw.integer(1, 4))
    return Case((draw.floats((draw.integer(1, 3), 2, 3)),), lambda t: spatial_transformer_grid(t, out))


SPATIAL_TRANSFORMER_GRID: OpDef[GridParams] = register(OpDef(
    "spatial_transformer_grid", _forward, _vjp, GradSpec(_sample), arg_names=("theta",), check=_check,
    broadcasts=False))


def spatial_transformer_grid(theta: VariableLike, output_shape: Sequence[int]) -> Variable:
    """The sampling grid ``(B, 2, out_H, out_W)`` of the affine maps ``theta``
    ``(B, 2, 3)`` over an ``output_shape = (out_H, out_W)`` image; coordinates in
    ``[-1, 1]``, ``(-1, -1)`` the upper-left corner."""
    try:
        data = as_array(theta)
    except TypeError:
        name_arrays("spatial_transformer_grid", ("theta", theta))
        raise
    out = shape_arg("spatial_transformer_grid", "output_shape", output_shape)
    if len(out) != 2 or min(out) < 1:
        raise ShapeError(f"spatial_transformer_grid: output_shape must be two positive ints (out_H, out_W), "
                         f"got {out}")
    dtype = data.dtype if data.dtype.kind == "f" else backend.namespace_of(data).float64
    points = _points(backend.namespace_of(data), out[0], out[1], dtype)
    return apply(SPATIAL_TRANSFORMER_GRID, (theta,), GridParams(points, (out[0], out[1])))
