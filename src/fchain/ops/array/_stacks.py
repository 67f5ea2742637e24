"""What ``hstack``, ``vstack`` and ``dstack`` share: numpy's stacking functions as
one ``concatenate`` of the inputs, each first reshaped to at least the dimensions
the function needs (``(N,)`` to ``(1, N)`` for ``vstack``, ...).

VJP: ``gy`` split back at the inputs' boundaries and each piece reshaped to its
input's shape (``xp.split`` and ``xp.reshape``, so double backprop differentiates
it again).  Residuals: none.  ``stack_params`` checks the inputs with messages
that name the function and the offending ``xs[i]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fchain.errors import DTypeError, ShapeError
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, sequence_arg, shape_of
from fchain.types import ArrayNamespace, Shape

__all__ = ["StackParams", "stack_forward", "stack_params", "stack_vjp"]


@dataclass(frozen=True, slots=True)
class StackParams:
    """``axis``: where the expanded inputs are joined; ``shapes``: the inputs' own
    shapes; ``expanded``: their shapes as joined; ``offsets``: where ``gy`` is cut
    (the running lengths along ``axis``, the last input's end excluded)."""

    axis: int
    shapes: tuple[Shape, ...]
    expanded: tuple[Shape, ...]
    offsets: tuple[int, ...]


def stack_forward(xp: ArrayNamespace, inputs: Inputs, p: StackParams) -> Forwarded:
    pieces = [x if x.shape == e else xp.reshape(x, e) for x, e in zip(inputs, p.expanded)]
    return (xp.concatenate(pieces, axis=p.axis),), ()


def stack_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: StackParams) -> Grads:
    parts = xp.split(grads[0], list(p.offsets), axis=p.axis) if p.offsets else [grads[0]]
    return tuple(g if e == s else xp.reshape(g, s) for g, e, s in zip(parts, p.expanded, p.shapes))


Layout = Callable[[Shape], tuple[Shape, int, bool]]
"""An input's shape -> (its expanded shape, the joining axis, whether every input
must have exactly the same shape rather than the same shape off the axis)."""


def stack_params(op_name: str, xs: Iterable[VariableLike], layout: Layout) -> StackParams:
    """The params of joining ``xs``: a list or tuple of Variables or arrays of one
    ``ndim`` and dtype whose shapes agree as ``layout`` demands."""
    xs = sequence_arg(op_name, xs)
    if not xs:
        raise ValueError(f"{op_name}: xs is empty; give at least one Variable or array")
    shapes = tuple(shape_of(x, op_name, f"xs[{i}]") for i, x in enumerate(xs))
    first = shapes[0]
    dtype = xs[0].dtype
    expanded0, axis, same = layout(first)
    expanded: list[Shape] = []
    offsets: list[int] = []
    total = 0
    for i, shape in enumerate(shapes):
        if len(shape) != len(first):
            raise ShapeError(f"{op_name}: xs[{i}] has shape {shape} but xs[0] has shape {first}; "
                             "every input must have the same number of dimensions")
        if xs[i].dtype != dtype:
            raise DTypeError(f"{op_name}: xs[{i}] has dtype {xs[i].dtype} but xs[0] has dtype {dtype}")
        e = layout(shape)[0]
        if same and shape != first:
            raise ShapeError(f"{op_name}: xs[{i}] has shape {shape} but xs[0] has shape {first}; inputs with "
                             f"{len(first)} dimensions must have the same shape")
        if any(a != b for k, (a, b) in enumerate(zip(e, expanded0)) if k != axis):
            raise ShapeError(f"{op_name}: xs[{i}] has shape {shape} but xs[0] has shape {first}; every axis "
                             f"except axis {axis} must have the same length")
        expanded.append(e)
        total += e[axis]
        offsets.append(total)
    return StackParams(axis, shapes, tuple(expanded), tuple(offsets[:-1]))
