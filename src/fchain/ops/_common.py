"""Type aliases and small helpers shared by the op files."""

from __future__ import annotations

from typing import TypeAlias

from numpy import generic as _numpy_scalar

from fchain.facade.variable import Variable
from fchain.types import Array

__all__ = ["Forwarded", "Grads", "Inputs", "VariableLike", "SCALAR_TYPES"]

Inputs: TypeAlias = tuple[Array, ...]
"""The arrays an op's forward receives, or the residuals its vjp receives."""

Forwarded: TypeAlias = tuple[tuple[Array, ...], tuple[Array, ...]]
"""What a forward returns: ``(outputs, residuals)``."""

Grads: TypeAlias = tuple[Array | None, ...]
"""What a vjp returns: one gradient per input, ``None`` where there is none."""

VariableLike: TypeAlias = Variable | Array
"""What an fchain function accepts as an array argument."""


SCALAR_TYPES = (int, float, _numpy_scalar)
"""Operands that binary ops take as a parameter rather than a graph input."""


def normalize_axes(op_name: str, axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...] | None:
    """``axis`` as a sorted tuple of non-negative ints, or ``None`` for all axes.

    Raises a ``ValueError`` naming the op when an axis is out of range or repeated.
    """
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out: list[int] = []
    for a in axes:
        if not isinstance(a, int) or isinstance(a, bool):
            raise TypeError(f"{op_name}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{op_name}: axis {a} is out of range for an input with {ndim} dimensions")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op_name}: axis {axis!r} repeats an axis")
    return tuple(sorted(out))


def shape_of(x: VariableLike, op_name: str, arg: str = "x") -> tuple[int, ...]:
    """The shape of the argument ``arg`` of ``op_name``, a Variable or an array.

    Anything else raises a ``TypeError`` naming the op and the argument, worded as
    ``apply``'s own check (this runs first in ops that need the shape up front).
    """
    shape = getattr(x, "shape", None)
    if shape is None:
        raise TypeError(f"{op_name}: {arg} must be a Variable, numpy.ndarray or cupy.ndarray, "
                        f"got {type(x).__name__}")
    return tuple(shape)
