"""repeat(x, repeats, axis=None): each element of x repeated, as numpy's ``repeat``.

``repeats`` is one count for every element, or one count per element along
``axis``; ``axis=None`` repeats the elements of the flattened x.

VJP: each element's gradient is the sum of the gradients of its copies.  With one
count ``r``: ``gy`` read with ``(n, r)`` in place of the axis and summed over ``r``
(``xp.reshape`` and ``xp.sum``, differentiable again).  With a count per element:
``gy`` scattered back through the index ``repeat(arange(n), repeats)``
(``_scatter.py``; in order, so a copy's gradients are summed as Chainer's loop
sums them), and recorded as ``get_item_grad`` under double backprop.
Residuals: none.  The second-order namespace's ``repeat`` is this op.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import SupportsIndex, cast

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable, as_array
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, describe, is_integer, name_arrays
from fchain.ops.array._permute_axes import axis_in
from fchain.ops.array._scatter import GatherIndex, scatter, scatter_recorded
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["REPEAT", "RepeatParams", "repeat"]


@dataclass(frozen=True, slots=True, eq=False)
class RepeatParams:
    """``repeats``: one count, or one per element along the axis; ``axis``: None for
    the flattened x.  ``grouped``: (one count) the shape ``gy`` is read as, the count
    axis at ``axis + 1``; ``index``: (a count per element) where each copy came from,
    in the shape ``target`` (x's shape, or ``(x.size,)`` for ``axis=None``)."""

    repeats: int | tuple[int, ...]
    axis: int | None
    in_shape: Shape
    grouped: Shape | None = None
    index: GatherIndex | None = None
    target: Shape = ()


def _forward(xp: ArrayNamespace, inputs: Inputs, p: RepeatParams) -> Forwarded:
    x = inputs[0]
    if p.axis is None:
        return (xp.repeat(xp.reshape(x, (-1,)), p.repeats, 0),), ()
    return (xp.repeat(x, p.repeats, p.axis),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: RepeatParams) -> Grads:
    gy = grads[0]
    if p.index is not None:
        gx = scatter(xp, gy, p.index, p.target)
        return (gx if p.axis is not None else xp.reshape(gx, p.in_shape),)
    return (_sum_copies(xp, gy, p),)


def _sum_copies(xp: ArrayNamespace, gy: Array, p: RepeatParams) -> Array:
    """One count for all: the copies are consecutive, summed over a reshaped axis."""
    assert p.grouped is not None
    axis = 0 if p.axis is None else p.axis
    summed = xp.sum(xp.reshape(gy, p.grouped), axis=axis + 1, keepdims=False)
    return summed if p.axis is not None else xp.reshape(summed, p.in_shape)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: RepeatParams) -> Grads:
    """Second order: the scatter is the op ``get_item_grad``."""
    gy = grads[0]
    if p.index is None:
        return (_sum_copies(xp, gy, p),)
    gx = scatter_recorded(gy, p.index, p.target)
    return (gx if p.axis is not None else xp.reshape(gx, p.in_shape),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(max_dims=3, max_side=3)
    axis = draw.integer(-len(shape), len(shape) - 1) if shape and draw.boolean() else None
    n = (shape[axis] if axis is not None else _size(shape))
    if draw.boolean():
        counts: int | tuple[int, ...] = draw.integer(0, 3)
    else:
        counts = tuple(draw.integer(0, 3) for _ in range(n))
    return Case((draw.floats(shape),), lambda x: repeat(x, counts, axis))


def _size(shape: Shape) -> int:
    size = 1
    for k in shape:
        size *= k
    return size


REPEAT: OpDef[RepeatParams] = register(OpDef(
    "repeat", _forward, _vjp, GradSpec(_sample), float_inputs=(), broadcasts=False,
    second_order_vjp=_vjp_recorded))


def _counts(value: object) -> int | tuple[int, ...]:
    if is_integer(value) or isinstance(value, bool):
        return operator.index(cast(SupportsIndex, value))
    if isinstance(value, (tuple, list)) and all(is_integer(v) or isinstance(v, bool) for v in value):
        counts = tuple(operator.index(cast(SupportsIndex, v)) for v in value)
        return counts[0] if len(counts) == 1 else counts
    raise TypeError(f"repeat: repeats must be an int or a tuple of ints, got {describe(value)}")


def repeat(x: VariableLike, repeats: int | Sequence[int], axis: int | None = None) -> Variable:
    """Repeat each element of ``x`` ``repeats`` times (or ``repeats[i]`` times for the
    ``i``-th element along ``axis``); ``axis=None`` flattens ``x`` first."""
    try:
        data = as_array(x)
    except TypeError:
        name_arrays("repeat", ("x", x))
        raise
    shape = tuple(data.shape)
    counts = _counts(repeats)
    if (counts if isinstance(counts, int) else min(counts, default=0)) < 0:
        raise ValueError(f"repeat: every entry of repeats must be zero or larger, got {repeats!r}")
    ax = None if axis is None else axis_in("repeat", "axis", axis, shape)
    n = _size(shape) if ax is None else shape[ax]
    if isinstance(counts, int):
        if ax is None:
            grouped: Shape = (n, counts)
        else:
            grouped = shape[:ax] + (n, counts) + shape[ax + 1:]
        return apply(REPEAT, (x,), RepeatParams(counts, ax, shape, grouped=grouped))
    if len(counts) != n:
        where = "x.size" if ax is None else f"x.shape[{ax}]"
        raise ShapeError(f"repeat: repeats has {len(counts)} entries but {where} is {n} (x has shape {shape}); "
                         "give one count, or one per element")
    xp = backend.namespace_of(data)
    source = xp.repeat(xp.arange(n), counts, 0)
    index: GatherIndex = (source,) if ax is None else (slice(None),) * ax + (source,)
    target = (n,) if ax is None else shape
    return apply(REPEAT, (x,), RepeatParams(counts, ax, shape, index=index, target=target))
