"""swapaxes(x, axis1, axis2): x with two axes exchanged.

A permutation of the axes, run by ``transpose``'s rules (forward
``xp.transpose``, VJP the inverse permutation, which is the same swap).
Residuals: none.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, shape_of
from fchain.ops.array import transpose as _transpose
from fchain.ops.array._permute_axes import axis_in

__all__ = ["SWAPAXES", "swapaxes"]


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    a1 = draw.integer(-len(shape), len(shape) - 1)
    a2 = draw.integer(-len(shape), len(shape) - 1)
    return Case((draw.floats(shape),), lambda x: swapaxes(x, a1, a2))


SWAPAXES: OpDef[tuple[int, ...]] = register(OpDef(
    "swapaxes", _transpose._forward, _transpose._vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def swapaxes(x: VariableLike, axis1: int, axis2: int) -> Variable:
    """Exchange axes ``axis1`` and ``axis2`` of ``x``."""
    shape = shape_of(x, "swapaxes")
    a1 = axis_in("swapaxes", "axis1", axis1, shape)
    a2 = axis_in("swapaxes", "axis2", axis2, shape)
    perm = list(range(len(shape)))
    perm[a1], perm[a2] = a2, a1
    return apply(SWAPAXES, (x,), tuple(perm))
