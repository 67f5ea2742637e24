"""What the max/min op pairs share: ``max``/``min``, ``argmax``/``argmin`` and
``maximum``/``minimum``.

The two ops of each pair differ only in which extreme they take, so each op file
keeps its registered ``OpDef``, its ``_forward`` (calling ``xp.max``, ``xp.argmin``,
...) and its public function, and takes the gradient rule, the spec's sampling and
the argument handling from here: one definition per rule, not two copies to keep
in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fchain.core.spec import Case, Draw
from fchain.graph.variable import Variable
from fchain.ops._common import (Forwarded, Grads, Inputs, VariableLike, describe, is_integer, normalize_axes,
                                shape_of)
from fchain.ops.math._reduce import draw_axis, kept_shape
from fchain.types import Array, ArrayNamespace, Shape

__all__ = [
    "ExtremumParams",
    "draw_extremum_case",
    "draw_index_case",
    "draw_untied_pair_case",
    "extremum_vjp",
    "index_axis",
    "index_forward",
    "pairwise_vjp",
]


# ------------------------------------------------------------------ max / min
@dataclass(frozen=True, slots=True)
class ExtremumParams:
    """Parameters of ``max``/``min``: the reduced axes (``None``: all of them),
    ``keepdims``, and the input's shape (to broadcast the gradient back)."""

    axis: tuple[int, ...] | None
    keepdims: bool
    in_shape: Shape


def extremum_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ExtremumParams) -> Grads:
    """``gy`` broadcast back to ``x``'s shape times the mask ``x == y``.

    Residuals ``(x, y)``: the input and the output.  Every element tied for the
    extreme receives the whole gradient (Chainer's convention).  The mask is a
    comparison result, a plain array that carries no gradient, so the backward is
    linear in ``gy`` and differentiable again.
    """
    x, y = residuals
    gy = grads[0]
    if not p.keepdims:
        kept = kept_shape(p.in_shape, p.axis)
        y = xp.reshape(y, kept)
        gy = xp.reshape(gy, kept)
    hit = xp.equal(x, y).astype(gy.dtype)
    return (xp.broadcast_to(gy, p.in_shape) * hit,)


def draw_extremum_case(draw: Draw, fn: Callable[[Variable, int | tuple[int, ...] | None, bool], Variable]
                       ) -> Case:
    """A case for ``fn`` = ``max`` or ``min``: distinct elements (no ties, where the
    numerical gradient would be invalid), any axes, either ``keepdims``."""
    shape = draw.shape()
    axis = draw_axis(draw, shape)
    keepdims = draw.boolean()
    return Case((draw.distinct(shape),), lambda x: fn(x, axis, keepdims))


# ------------------------------------------------------------- argmax / argmin
def index_forward(reduce: Callable[[Array, int], Array], xp: ArrayNamespace, x: Array,
                  axis: int | None) -> Forwarded:
    """The int32 index ``reduce`` (``xp.argmax`` or ``xp.argmin``) picks over ``axis``,
    or over the flattened array when ``axis`` is None; no residuals."""
    index = reduce(xp.reshape(x, (-1,)), 0) if axis is None else reduce(x, axis)
    return (xp.asarray(index, dtype=xp.int32),), ()


def index_axis(op_name: str, x: VariableLike, axis: int | None) -> int | None:
    """``axis`` checked (one int or None, as in Chainer) and made non-negative."""
    if axis is not None and type(axis) is not int:
        if not is_integer(axis):
            raise TypeError(f"{op_name}: axis must be None or an int, got {describe(axis)}")
        axis = int(axis)
    axes = normalize_axes(op_name, axis, len(shape_of(x, op_name)))
    return None if axes is None else axes[0]


def draw_index_case(draw: Draw, fn: Callable[[Variable, int | None], Variable]) -> Case:
    """A case for ``fn`` = ``argmax`` or ``argmin``: any axis, negative ones included."""
    shape = draw.shape(min_dims=1)
    axis = draw.choice([None, *range(-len(shape), len(shape))])
    return Case((draw.floats(shape),), lambda x: fn(x, axis))


# ---------------------------------------------------------- maximum / minimum
def pairwise_vjp(xp: ArrayNamespace, gy: Array, to_x1: Array) -> Grads:
    """``(gy * to_x1, gy * not to_x1)``: the gradients of ``maximum``/``minimum``.

    ``to_x1`` is the boolean mask of where ``x1`` was picked (ties included, so a
    tie sends the whole gradient to ``x1``, Chainer's convention).  It is a
    comparison result, a plain array, so ``.astype`` is safe on it while ``gy`` may
    be a Variable in double backprop.
    """
    return gy * to_x1.astype(gy.dtype), gy * xp.logical_not(to_x1).astype(gy.dtype)


def draw_untied_pair_case(draw: Draw, fn: Callable[[Variable, Variable], Variable]) -> Case:
    """A case for ``fn`` = ``maximum`` or ``minimum``: broadcastable operands at least
    0.1 apart everywhere (no ties), in either order."""
    shape = draw.shape()
    other = draw.floats(draw.broadcastable_shape(shape))
    one = other + draw.floats(shape, -1.0, 1.0, kinks=(0.0,), margin=0.1)
    return Case((other, one) if draw.boolean() else (one, other), fn)
