"""diagonal(x, offset=0, axis1=0, axis2=1): the diagonal of each matrix over axes
``axis1`` and ``axis2``, as numpy's ``diagonal``.

The other axes are batch axes, kept in order; the diagonal comes last.  The forward
moves the two axes to the end and takes a strided slice of their flattened
``n1 * n2`` elements: element ``(r, r + offset)`` is at ``r * (n2 + 1) + offset``.

VJP: ``gy`` written back to those positions, with zeros elsewhere, by padding
alone: each ``gy`` value followed by ``n2`` zeros is one stride, and the strides
padded to ``n1 * n2`` are the matrix.  ``xp.pad``, ``xp.reshape`` and slicing,
so double backprop differentiates it again (the backward of that is this op's
forward, as Chainer's ``DiagonalGrad``).  Residuals: none.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg, shape_of
from fchain.ops.array._permute_axes import axis_in
from fchain.types import ArrayNamespace, Shape

__all__ = ["DIAGONAL", "DiagonalParams", "diagonal"]


@dataclass(frozen=True, slots=True)
class DiagonalParams:
    """``axes``: ``(axis1, axis2)``, non-negative; ``lead``: the batch axes' lengths;
    ``n1``, ``n2``: the matrix axes' lengths; ``start``, ``count``: where the
    diagonal starts in the flattened matrix and how long it is."""

    axes: tuple[int, int]
    lead: Shape
    n1: int
    n2: int
    start: int
    count: int


def _forward(xp: ArrayNamespace, inputs: Inputs, p: DiagonalParams) -> Forwarded:
    flat = xp.reshape(xp.moveaxis(inputs[0], p.axes, (-2, -1)), p.lead + (p.n1 * p.n2,))
    stride = p.n2 + 1
    return (flat[..., p.start:p.start + p.count * stride:stride],), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: DiagonalParams) -> Grads:
    gy = grads[0]
    batch = ((0, 0),) * len(p.lead)
    size = p.n1 * p.n2
    if p.count == 0:
        flat = xp.pad(gy, batch + ((0, size),))
    else:
        strides = xp.pad(xp.expand_dims(gy, -1), batch + ((0, 0), (0, p.n2)))
        flat = xp.reshape(strides, p.lead + (p.count * (p.n2 + 1),))
        end = p.start + p.count * (p.n2 + 1)
        flat = xp.pad(flat, batch + ((p.start, max(size - end, 0)),))
        if end > size:
            flat = flat[..., :size]
    return (xp.moveaxis(xp.reshape(flat, p.lead + (p.n1, p.n2)), (-2, -1), p.axes),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=2, max_dims=4, max_side=3)
    ndim = len(shape)
    a1 = draw.integer(-ndim, ndim - 1)
    a2 = draw.choice([a for a in range(ndim) if a != a1 % ndim])
    offset = draw.integer(-3, 3)
    return Case((draw.floats(shape),), lambda x: diagonal(x, offset, a1, a2))


DIAGONAL: OpDef[DiagonalParams] = register(OpDef(
    "diagonal", _forward, _vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def diagonal(x: VariableLike, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Variable:
    """The diagonals of ``x`` over ``axis1`` (rows) and ``axis2`` (columns), ``offset``
    above the main one (below for a negative ``offset``), batched over the other
    axes: shape ``other axes + (length of the diagonal,)``."""
    shape = shape_of(x, "diagonal")
    if len(shape) < 2:
        raise ShapeError(f"diagonal: x must have at least 2 dimensions, got shape {shape}")
    if type(offset) is not int:
        offset = int_arg("diagonal", "offset", offset)
    a1 = axis_in("diagonal", "axis1", axis1, shape)
    a2 = axis_in("diagonal", "axis2", axis2, shape)
    if a1 == a2:
        raise ValueError(f"diagonal: axis1 and axis2 must be different axes, got {axis1} and {axis2}")
    n1, n2 = shape[a1], shape[a2]
    lead = tuple(n for k, n in enumerate(shape) if k not in (a1, a2))
    if offset >= 0:
        count, start = max(0, min(n1, n2 - offset)), offset
    else:
        count, start = max(0, min(n1 + offset, n2)), -offset * n2
    return apply(DIAGONAL, (x,), DiagonalParams((a1, a2), lead, n1, n2, start if count else 0, count))


