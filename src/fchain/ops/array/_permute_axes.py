"""What ``swapaxes``, ``moveaxis`` and ``rollaxis`` share: each is a permutation of
x's axes, run by ``transpose``'s rules (forward ``xp.transpose(x, perm)``, VJP the
inverse permutation), so only the argument handling differs.  The helpers here
check an axis argument and turn it into the permutation, with messages that name
the function and the argument.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.errors import ShapeError
from fchain.ops._common import describe, int_arg, is_integer
from fchain.types import Shape

__all__ = ["axis_in", "axes_in", "moved_order"]


def axis_in(op_name: str, arg: str, value: object, shape: Shape, *, extra: int = 0) -> int:
    """``value`` as an axis of an array of ``shape`` made non-negative; ``extra=1``
    also allows ``ndim`` itself (``rollaxis``'s ``start``)."""
    axis = value if type(value) is int else int_arg(op_name, arg, value)
    ndim = len(shape)
    if not -ndim <= axis < ndim + extra:
        allowed = f"[{-ndim}, {ndim + extra - 1}]" if ndim + extra else "none"
        raise ShapeError(f"{op_name}: {arg} {axis} is out of range for x of shape {shape} "
                         f"({ndim} dimensions; allowed: {allowed})")
    return axis + ndim if axis < 0 else axis


def axes_in(op_name: str, arg: str, value: object, shape: Shape) -> tuple[int, ...]:
    """An int or a sequence of ints: distinct axes of an array of ``shape``."""
    if is_integer(value):
        items: Sequence[object] = (value,)
    elif isinstance(value, (tuple, list)):
        items = value
    else:
        raise TypeError(f"{op_name}: {arg} must be an int or a tuple of ints, got {describe(value)}")
    axes = tuple(axis_in(op_name, arg, a, shape) for a in items)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op_name}: {arg} {tuple(items)} repeats an axis")
    return axes


def moved_order(ndim: int, source: tuple[int, ...], destination: tuple[int, ...]) -> tuple[int, ...]:
    """The permutation that moves axes ``source`` to positions ``destination`` and
    keeps the others in order (numpy's ``moveaxis``)."""
    order = [n for n in range(ndim) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return tuple(order)
