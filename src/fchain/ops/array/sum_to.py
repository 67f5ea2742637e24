"""sum_to(x, shape): sum over broadcast axes.  VJP: gy broadcast back to x's shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fchain.core.broadcast import sum_to as _sum_to_array
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_arg, shape_of
from fchain.types import ArrayNamespace, Shape

__all__ = ["SUM_TO", "SumToParams", "sum_to"]


@dataclass(frozen=True, slots=True)
class SumToParams:
    shape: Shape
    in_shape: Shape


def _forward(xp: ArrayNamespace, inputs: Inputs, p: SumToParams) -> Forwarded:
    return (_sum_to_array(xp, inputs[0], p.shape),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SumToParams) -> Grads:
    return (xp.broadcast_to(grads[0], p.in_shape),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    target = draw.broadcastable_shape(shape)
    return Case((draw.floats(shape),), lambda x: sum_to(x, target))


SUM_TO: OpDef[SumToParams] = register(OpDef("sum_to", _forward, _vjp, GradSpec(_sample)))


def sum_to(x: VariableLike, shape: Sequence[int]) -> Variable:
    """Sum ``x`` over the axes along which ``shape`` was broadcast to ``x.shape``."""
    target = shape_arg("sum_to", "shape", shape)
    in_shape = shape_of(x, "sum_to")
    ok = len(target) <= len(in_shape) and all(
        a == b or a == 1 for a, b in zip(reversed(target), reversed(in_shape)))
    if not ok:
        raise ShapeError(f"sum_to: x of shape {in_shape} cannot be summed to {target}")
    return apply(SUM_TO, (x,), SumToParams(target, in_shape))
