"""stack(xs, axis=0): the arrays of ``xs``, all of one shape, joined along a new axis.

``axis`` counts in the output's dimensions (``-1`` stacks along a new last axis).
VJP: ``gy`` split along ``axis`` and each piece squeezed.  Residuals: none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg, sequence_arg, shape_of
from fchain.types import ArrayNamespace

__all__ = ["STACK", "StackParams", "stack"]


@dataclass(frozen=True, slots=True)
class StackParams:
    axis: int
    count: int


def _forward(xp: ArrayNamespace, inputs: Inputs, p: StackParams) -> Forwarded:
    return (xp.stack(inputs, axis=p.axis),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: StackParams) -> Grads:
    parts = xp.split(grads[0], p.count, axis=p.axis)
    return tuple(xp.squeeze(part, p.axis) for part in parts)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    axis = draw.integer(-len(shape) - 1, len(shape))
    xs = tuple(draw.floats(shape) for _ in range(draw.integer(1, 3)))
    return Case(xs, lambda *vs: stack(vs, axis=axis))


STACK: OpDef[StackParams] = register(
    OpDef("stack", _forward, _vjp, GradSpec(_sample), float_inputs=()))


def stack(xs: Iterable[VariableLike], axis: int = 0) -> Variable:
    """Join arrays of one shape along a new axis at position ``axis`` of the result."""
    xs = sequence_arg("stack", xs)
    if not xs:
        raise ValueError("stack: xs is empty; give at least one Variable or array")
    first = shape_of(xs[0], "stack", "xs[0]")
    out_ndim = len(first) + 1
    if type(axis) is not int:
        axis = int_arg("stack", "axis", axis)
    if not -out_ndim <= axis < out_ndim:
        raise ShapeError(
            f"stack: axis {axis} is out of range: xs[0] has {len(first)} dimensions, so axis must "
            f"lie in [{-out_ndim}, {out_ndim - 1}]")
    dtype = xs[0].dtype
    for i, x in enumerate(xs):
        shape = shape_of(x, "stack", f"xs[{i}]")
        if shape != first:
            raise ShapeError(f"stack: xs[{i}] has shape {shape} but xs[0] has shape {first}; all must match")
        if x.dtype != dtype:
            raise DTypeError(f"stack: xs[{i}] has dtype {x.dtype} but xs[0] has dtype {dtype}")
    return apply(STACK, tuple(xs), StackParams(axis % out_ndim, len(xs)))
