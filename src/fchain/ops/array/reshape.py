"""reshape(x, shape).  VJP: gy reshaped back to x's shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_arg, shape_of
from fchain.types import ArrayNamespace, Shape

__all__ = ["RESHAPE", "ReshapeParams", "reshape"]


@dataclass(frozen=True, slots=True)
class ReshapeParams:
    shape: Shape
    in_shape: Shape


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ReshapeParams) -> Forwarded:
    return (xp.reshape(inputs[0], p.shape),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ReshapeParams) -> Grads:
    return (xp.reshape(grads[0], p.in_shape),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    size = 1
    for n in shape:
        size *= n
    target = draw.choice([(size,), (1, size), (size, 1), (-1,)])
    return Case((draw.floats(shape),), lambda x: reshape(x, target))


RESHAPE: OpDef[ReshapeParams] = register(
    OpDef("reshape", _forward, _vjp, GradSpec(_sample), float_inputs=()))


def _resolve(in_shape: Shape, shape: Shape) -> Shape:
    size = 1
    for n in in_shape:
        size *= n
    target = list(shape)
    unknown = [i for i, n in enumerate(target) if n == -1]
    known = 1
    for n in target:
        if n != -1:
            known *= n
    if len(unknown) > 1 or any(n < -1 for n in target):
        raise ShapeError(f"reshape: invalid target shape {tuple(shape)}")
    if unknown and known and size % known == 0:
        target[unknown[0]] = size // known
    resolved = tuple(target)
    count = 1
    for n in resolved:
        count *= n
    if count != size:
        raise ShapeError(
            f"reshape: cannot reshape an array of shape {in_shape} ({size} elements) into {tuple(shape)}"
        )
    return resolved


def reshape(x: VariableLike, shape: int | Sequence[int]) -> Variable:
    """The same elements in a new shape (one entry may be -1)."""
    in_shape = shape_of(x, "reshape")
    target = _resolve(in_shape, shape_arg("reshape", "shape", shape))
    return apply(RESHAPE, (x,), ReshapeParams(target, in_shape))
