"""expand_dims(x, axis): x with a new axis of length 1 at ``axis``.

``axis`` counts in the output's dimensions, so ``-1`` appends an axis (numpy's
rule); a tuple inserts several.  VJP: ``gy`` reshaped back to x's shape.
Residuals: none.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import (Forwarded, Grads, Inputs, VariableLike, describe, int_arg, is_integer,
                                normalize_axes, shape_of)
from fchain.types import ArrayNamespace, Shape

__all__ = ["EXPAND_DIMS", "ExpandDimsParams", "expand_dims"]


@dataclass(frozen=True, slots=True)
class ExpandDimsParams:
    axis: tuple[int, ...]
    in_shape: Shape


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ExpandDimsParams) -> Forwarded:
    return (xp.expand_dims(inputs[0], p.axis),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ExpandDimsParams) -> Grads:
    return (xp.reshape(grads[0], p.in_shape),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    axis = draw.integer(-len(shape) - 1, len(shape))
    return Case((draw.floats(shape),), lambda x: expand_dims(x, axis))


EXPAND_DIMS: OpDef[ExpandDimsParams] = register(
    OpDef("expand_dims", _forward, _vjp, GradSpec(_sample), float_inputs=()))


def expand_dims(x: VariableLike, axis: int | tuple[int, ...]) -> Variable:
    """Insert an axis of length 1 at position ``axis`` of the result."""
    shape = shape_of(x, "expand_dims")
    if type(axis) is int:
        wanted: tuple[int, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        wanted = tuple(axis)
    elif is_integer(axis):
        wanted = (int_arg("expand_dims", "axis", axis),)
    else:
        raise TypeError(f"expand_dims: axis must be an int or a tuple of ints, got {describe(axis)}")
    out_ndim = len(shape) + len(wanted)
    for a in wanted:
        if isinstance(a, int) and not isinstance(a, bool) and not -out_ndim <= a < out_ndim:
            raise ShapeError(
                f"expand_dims: axis {a} is out of range: x has {len(shape)} dimensions, so axis "
                f"must lie in [{-out_ndim}, {out_ndim - 1}]")
    axes = normalize_axes("expand_dims", wanted, out_ndim)
    assert axes is not None
    return apply(EXPAND_DIMS, (x,), ExpandDimsParams(axes, shape))
