"""sum(x, axis=None, keepdims=False).  VJP: gy broadcast back to x's shape."""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, normalize_axes, shape_of
from fchain.types import ArrayNamespace, Shape

__all__ = ["SUM", "SumParams", "sum"]


@dataclass(frozen=True, slots=True)
class SumParams:
    axis: tuple[int, ...] | None
    keepdims: bool
    in_shape: Shape


def _kept_shape(p: SumParams) -> Shape:
    if p.axis is None:
        return (1,) * len(p.in_shape)
    return tuple(1 if i in p.axis else n for i, n in enumerate(p.in_shape))


def _forward(xp: ArrayNamespace, inputs: Inputs, p: SumParams) -> Forwarded:
    return (xp.sum(inputs[0], axis=p.axis, keepdims=p.keepdims),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SumParams) -> Grads:
    gy = grads[0]
    if not p.keepdims:
        gy = xp.reshape(gy, _kept_shape(p))
    return (xp.broadcast_to(gy, p.in_shape),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    axis: int | tuple[int, ...] | None = None
    if shape and draw.boolean():
        axis = tuple(sorted({draw.integer(0, len(shape) - 1) for _ in range(draw.integer(1, 2))}))
    keepdims = draw.boolean()
    return Case((draw.floats(shape),), lambda x: sum(x, axis=axis, keepdims=keepdims))


SUM: OpDef[SumParams] = register(OpDef("sum", _forward, _vjp, GradSpec(_sample)))


def sum(x: VariableLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Variable:
    """Sum of the elements over ``axis`` (all of them by default)."""
    shape = shape_of(x, "sum")
    if type(keepdims) is not bool:
        keepdims = bool_arg("sum", "keepdims", keepdims)
    return apply(SUM, (x,), SumParams(normalize_axes("sum", axis, len(shape)), keepdims, shape))
