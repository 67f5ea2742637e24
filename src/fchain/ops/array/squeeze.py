"""squeeze(x, axis=None): x without axes of length 1 (all of them, or those in ``axis``).

VJP: ``gy`` reshaped back to x's shape.  Residuals: none.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, normalize_axes, shape_of
from fchain.types import ArrayNamespace, Shape

__all__ = ["SQUEEZE", "SqueezeParams", "squeeze"]


@dataclass(frozen=True, slots=True)
class SqueezeParams:
    axis: tuple[int, ...]
    in_shape: Shape


def _forward(xp: ArrayNamespace, inputs: Inputs, p: SqueezeParams) -> Forwarded:
    return (xp.squeeze(inputs[0], p.axis),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SqueezeParams) -> Grads:
    return (xp.reshape(grads[0], p.in_shape),)


def _sample(draw: Draw) -> Case:
    shape = list(draw.shape(max_dims=3))
    for _ in range(draw.integer(1, 2)):
        shape.insert(draw.integer(0, len(shape)), 1)
    ones = [i for i, n in enumerate(shape) if n == 1]
    axis: int | tuple[int, ...] | None = draw.choice(
        [None, ones[0] - len(shape), tuple(ones)])
    return Case((draw.floats(tuple(shape)),), lambda x: squeeze(x, axis))


SQUEEZE: OpDef[SqueezeParams] = register(
    OpDef("squeeze", _forward, _vjp, GradSpec(_sample), float_inputs=()))


def squeeze(x: VariableLike, axis: int | tuple[int, ...] | None = None) -> Variable:
    """Remove axes of length 1: every one when ``axis`` is None, else those listed."""
    shape = shape_of(x, "squeeze")
    axes = normalize_axes("squeeze", axis, len(shape))
    if axes is None:
        axes = tuple(i for i, n in enumerate(shape) if n == 1)
    for a in axes:
        if shape[a] != 1:
            raise ShapeError(
                f"squeeze: axis {a} of x has length {shape[a]}, not 1 (x has shape {shape})")
    return apply(SQUEEZE, (x,), SqueezeParams(axes, shape))
