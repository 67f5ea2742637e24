"""fliplr(a): a reversed along axis 1 (left/right); ``a`` has at least 2 dimensions.

``flip``'s rules with the axis fixed (VJP: ``gy`` reversed along axis 1).  As
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

__all__ = ["FLIPLR", "fliplr"]

_AXES = (1,)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(min_dims=2)),), fliplr)


FLIPLR: OpDef[tuple[int, ...]] = register(OpDef(
    "fliplr", _flip._forward, _flip._vjp, GradSpec(_sample), arg_names=("a",), broadcasts=False))


def fliplr(a: VariableLike) -> Variable:
    """Reverse the order of ``a``'s columns (axis 1)."""
    shape = shape_of(a, "fliplr", "a")
    if len(shape) < 2:
        raise ShapeError(f"fliplr: a must have at least 2 dimensions, got shape {shape}")
    return apply(FLIPLR, (a,), _AXES)
