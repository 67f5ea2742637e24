"""flip(x, axis): x reversed along ``axis``.

VJP: ``gy`` reversed along the same axis (``xp.flip`` again, which the
second-order namespace implements with this op, so every order of derivative is
available).  Residuals: none.  The params are a tuple of axes, so the
second-order namespace's ``flip`` (any axes, or all of them) is this op too;
``fliplr`` and ``flipud`` run the same rules.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_of
from fchain.ops.array._permute_axes import axis_in
from fchain.types import ArrayNamespace

__all__ = ["FLIP", "flip", "flip_axes"]


def _forward(xp: ArrayNamespace, inputs: Inputs, axes: tuple[int, ...]) -> Forwarded:
    return (xp.flip(inputs[0], axes),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, axes: tuple[int, ...]) -> Grads:
    return (xp.flip(grads[0], axes),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw.integer(-len(shape), len(shape) - 1)
    return Case((draw.floats(shape),), lambda x: flip(x, axis))


FLIP: OpDef[tuple[int, ...]] = register(OpDef(
    "flip", _forward, _vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def flip(x: VariableLike, axis: int) -> Variable:
    """Reverse the order of ``x``'s elements along ``axis``."""
    shape = shape_of(x, "flip")
    if not shape:
        raise ShapeError("flip: x must have at least one dimension, got a 0-d array")
    return apply(FLIP, (x,), (axis_in("flip", "axis", axis, shape),))


def flip_axes(x: VariableLike, axes: tuple[int, ...]) -> Variable:
    """``x`` reversed along each of ``axes`` (non-negative, distinct): the
    second-order namespace's ``flip``."""
    return apply(FLIP, (x,), axes)
