"""concat(xs, axis=1): the arrays of ``xs`` joined along ``axis`` (Chainer's default is 1).

Every input has the same number of dimensions, the same dtype and the same length
on every axis but ``axis``.  VJP: ``gy`` split back at the inputs' boundaries.
Residuals: none.
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

__all__ = ["CONCAT", "ConcatParams", "concat"]


@dataclass(frozen=True, slots=True)
class ConcatParams:
    axis: int
    offsets: tuple[int, ...]
    """Where the backward splits ``gy``: the running lengths, last input excluded."""


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ConcatParams) -> Forwarded:
    return (xp.concatenate(inputs, axis=p.axis),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ConcatParams) -> Grads:
    return tuple(xp.split(grads[0], list(p.offsets), axis=p.axis))


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw.integer(-len(shape), len(shape) - 1)
    xs = []
    for _ in range(draw.integer(1, 3)):
        piece = list(shape)
        piece[axis] = draw.integer(1, 3)
        xs.append(draw.floats(tuple(piece)))
    return Case(tuple(xs), lambda *vs: concat(vs, axis=axis))


CONCAT: OpDef[ConcatParams] = register(
    OpDef("concat", _forward, _vjp, GradSpec(_sample), float_inputs=()))


def concat(xs: Iterable[VariableLike], axis: int = 1) -> Variable:
    """Join ``xs`` along ``axis``; the other axes must agree."""
    xs = sequence_arg("concat", xs)
    if not xs:
        raise ValueError("concat: xs is empty; give at least one Variable or array")
    shapes = [shape_of(x, "concat", f"xs[{i}]") for i, x in enumerate(xs)]
    first = shapes[0]
    ndim = len(first)
    if type(axis) is not int:
        axis = int_arg("concat", "axis", axis)
    if not -ndim <= axis < ndim:
        raise ShapeError(f"concat: axis {axis} is out of range for xs[0] of shape {first} ({ndim} dimensions)")
    axis %= ndim
    dtype = xs[0].dtype
    offsets: list[int] = []
    total = 0
    for i, shape in enumerate(shapes):
        if len(shape) != ndim or any(a != b for k, (a, b) in enumerate(zip(shape, first)) if k != axis):
            raise ShapeError(
                f"concat: xs[{i}] has shape {shape} but xs[0] has shape {first}; every axis "
                f"except axis {axis} must have the same length")
        if xs[i].dtype != dtype:
            raise DTypeError(f"concat: xs[{i}] has dtype {xs[i].dtype} but xs[0] has dtype {dtype}")
        total += shape[axis]
        offsets.append(total)
    return apply(CONCAT, tuple(xs), ConcatParams(axis, tuple(offsets[:-1])))
