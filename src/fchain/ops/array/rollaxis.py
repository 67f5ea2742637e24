"""rollaxis(x, axis, start=0): axis ``axis`` of x moved to just before ``start``.

numpy's ``rollaxis``: ``start`` may be ``x.ndim`` (move the axis last); the other
axes keep their order.  A permutation of the axes, run by ``transpose``'s rules
(VJP: the inverse permutation).  Residuals: none.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, shape_of
from fchain.ops.array import transpose as _transpose
from fchain.ops.array._permute_axes import axis_in, moved_order

__all__ = ["ROLLAXIS", "rollaxis"]


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    ndim = len(shape)
    axis = draw.integer(-ndim, ndim - 1)
    start = draw.integer(-ndim, ndim)
    return Case((draw.floats(shape),), lambda x: rollaxis(x, axis, start))


ROLLAXIS: OpDef[tuple[int, ...]] = register(OpDef(
    "rollaxis", _transpose._forward, _transpose._vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def rollaxis(x: VariableLike, axis: int, start: int = 0) -> Variable:
    """Move axis ``axis`` of ``x`` to just before position ``start`` (``start`` may be
    ``x.ndim``); prefer ``moveaxis``, as Chainer's documentation says."""
    shape = shape_of(x, "rollaxis")
    a = axis_in("rollaxis", "axis", axis, shape)
    s = axis_in("rollaxis", "start", start, shape, extra=1)
    destination = s - 1 if a < s else s
    return apply(ROLLAXIS, (x,), moved_order(len(shape), (a,), (destination,)))
