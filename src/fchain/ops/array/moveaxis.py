"""moveaxis(x, source, destination): x's axes ``source`` moved to ``destination``.

The other axes keep their order (numpy's ``moveaxis``).  A permutation of the
axes, run by ``transpose``'s rules (VJP: the inverse permutation, which moves the
axes back).  Residuals: none.  As Chainer's, ``x`` must be floating point.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, shape_of
from fchain.ops.array import transpose as _transpose
from fchain.ops.array._permute_axes import axes_in, moved_order

__all__ = ["MOVEAXIS", "moveaxis"]


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    ndim = len(shape)
    k = draw.integer(1, ndim)
    pool = list(range(ndim))
    source = tuple(pool.pop(draw.integer(0, len(pool) - 1)) - draw.choice([0, ndim]) for _ in range(k))
    pool = list(range(ndim))
    destination = tuple(pool.pop(draw.integer(0, len(pool) - 1)) for _ in range(k))
    if k == 1 and draw.boolean():
        return Case((draw.floats(shape),), lambda x: moveaxis(x, source[0], destination[0]))
    return Case((draw.floats(shape),), lambda x: moveaxis(x, source, destination))


MOVEAXIS: OpDef[tuple[int, ...]] = register(OpDef(
    "moveaxis", _transpose._forward, _transpose._vjp, GradSpec(_sample), broadcasts=False))


def moveaxis(x: VariableLike, source: int | tuple[int, ...], destination: int | tuple[int, ...]) -> Variable:
    """Move the axes ``source`` of ``x`` to the positions ``destination`` (each an int
    or a tuple of distinct ints of the same length); the other axes keep their order."""
    shape = shape_of(x, "moveaxis")
    src = axes_in("moveaxis", "source", source, shape)
    dst = axes_in("moveaxis", "destination", destination, shape)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source!r} and destination {destination!r} must name "
                         "as many axes")
    return apply(MOVEAXIS, (x,), moved_order(len(shape), src, dst))
