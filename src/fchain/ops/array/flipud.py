"""flipud(a): a reversed along axis 0 (up/down); ``a`` has at least 1 dimension.

``flip``'s rules with the axis fixed (VJP: ``gy`` reversed along axis 0).  As
Chainer's, ``a`` must be floating point.  Residuals: none.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, shape_of
from fchain.ops.array import flip as _flip

__all__ = ["FLIPUD", "flipud"]

_AXES = (0,)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(min_dims=1)),), flipud)


FLIPUD: OpDef[tuple[int, ...]] = register(OpDef(
    "flipud", _flip._forward, _flip._vjp, GradSpec(_sample), arg_names=("a",), broadcasts=False))


def flipud(a: VariableLike) -> Variable:
    """Reverse the order of ``a``'s rows (axis 0)."""
    shape = shape_of(a, "flipud", "a")
    if not shape:
        raise ShapeError("flipud: a must have at least 1 dimension, got a 0-d array")
    return apply(FLIPUD, (a,), _AXES)
