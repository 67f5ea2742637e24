"""mean(x, axis=None, weights=None, keepdims=False): Chainer's ``F.mean`` (``F.average``).

Unweighted: one op.  VJP: gy / n broadcast back to x's shape, n being the number of
elements each output averages.  No residuals.

Weighted (``weights`` given): ``sum(x * w, axis) / sum(w)``, composed of the
registered ops mul, sum, div, reshape and broadcast_to, so it is differentiable
with respect to both ``x`` and ``weights`` (to any order) through them.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, normalize_axes, shape_of
from fchain.ops.math._reduce import draw_axis, kept_shape, reduced_size
from fchain.ops.array.broadcast_to import broadcast_to
from fchain.ops.array.reshape import reshape
from fchain.ops.math.div import div
from fchain.ops.math.mul import mul
from fchain.ops.math.sum import sum as sum_
from fchain.types import ArrayNamespace, Shape

__all__ = ["MEAN", "MeanParams", "mean"]


@dataclass(frozen=True, slots=True)
class MeanParams:
    axis: tuple[int, ...] | None
    keepdims: bool
    in_shape: Shape


def _forward(xp: ArrayNamespace, inputs: Inputs, p: MeanParams) -> Forwarded:
    return (xp.mean(inputs[0], axis=p.axis, keepdims=p.keepdims),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: MeanParams) -> Grads:
    n = reduced_size(p.in_shape, p.axis)
    gy = grads[0] * (1.0 / n) if n else grads[0]
    if not p.keepdims:
        gy = xp.reshape(gy, kept_shape(p.in_shape, p.axis))
    return (xp.broadcast_to(gy, p.in_shape),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    axis = draw_axis(draw, shape)
    keepdims = draw.boolean()
    return Case((draw.floats(shape),), lambda x: mean(x, axis=axis, keepdims=keepdims))


MEAN: OpDef[MeanParams] = register(OpDef("mean", _forward, _vjp, GradSpec(_sample)))


def mean(x: VariableLike, axis: int | tuple[int, ...] | None = None,
         weights: VariableLike | None = None, keepdims: bool = False) -> Variable:
    """(Weighted) average of the elements over ``axis`` (all of them by default).

    ``weights``, if given, must have ``x``'s shape when ``axis`` is None, and shape
    ``(x.shape[axis],)`` when ``axis`` is one axis; a tuple of several axes is not
    supported with weights (as in Chainer).  The result is
    ``sum(x * weights, axis) / sum(weights)``.
    """
    shape = shape_of(x, "mean")
    axes = normalize_axes("mean", axis, len(shape))
    if type(keepdims) is not bool:
        keepdims = bool_arg("mean", "keepdims", keepdims)
    if weights is None:
        return apply(MEAN, (x,), MeanParams(axes, keepdims, shape))
    return _weighted(x, shape, axes, weights, keepdims)


def _weighted(x: VariableLike, shape: Shape, axes: tuple[int, ...] | None,
              weights: VariableLike, keepdims: bool) -> Variable:
    w_shape = shape_of(weights, "mean", "weights")
    if axes is None:
        if w_shape != shape:
            raise ShapeError(
                f"mean: weights must have the shape of x {shape} when axis is None, got {w_shape}")
        w: VariableLike = weights
    else:
        if len(axes) > 1:
            raise ValueError(f"mean: a tuple of several axes {axes} is not supported when weights is given")
        a = axes[0]
        if w_shape != (shape[a],):
            raise ShapeError(
                f"mean: weights must have shape {(shape[a],)} (x.shape[{a}]) when axis={a}, got {w_shape}")
        w = broadcast_to(reshape(weights, tuple(n if i == a else 1 for i, n in enumerate(shape))), shape)
    total = sum_(mul(x, w), axis=axes, keepdims=keepdims)
    return div(total, sum_(weights))
