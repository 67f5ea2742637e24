"""The arguments convolution and pooling functions share, checked as Chainer takes
them: ``ksize``, ``stride``, ``pad``, ``dilate`` and ``outsize`` are an int (the same
on every spatial axis) or a tuple with one int per spatial axis.  Every error names
the function and the argument.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.errors import ShapeError
from fchain.ops._common import VariableLike, bool_arg, describe, int_arg, is_integer, shape_of
from fchain.types import Shape

__all__ = ["flag", "spatial_ndim", "spatial_tuple"]


def spatial_tuple(fn: str, arg: str, value: object, ndim: int, minimum: int) -> Shape:
    """``value`` as one int per spatial axis, each at least ``minimum``."""
    if type(value) is int or is_integer(value):
        n = int_arg(fn, arg, value)
        out: Shape = (n,) * ndim
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        if len(value) != ndim:
            raise ValueError(f"{fn}: {arg} must be an int or a tuple of {ndim} ints (one per spatial "
                             f"axis), got {describe(value)}")
        out = tuple(int_arg(fn, arg, v) for v in value)
    else:
        raise TypeError(f"{fn}: {arg} must be an int or a tuple of {ndim} ints, got {describe(value)}")
    if any(v < minimum for v in out):
        raise ValueError(f"{fn}: {arg} must be at least {minimum} on every axis, got {value!r}")
    return out


def flag(fn: str, arg: str, value: object) -> bool:
    """A bool argument (``cover_all``, ``return_indices``)."""
    return value if type(value) is bool else bool_arg(fn, arg, value)


def spatial_ndim(fn: str, x: VariableLike, want: int | None, arg: str = "x") -> int:
    """How many spatial axes ``x`` ``(N, C, *spatial)`` has; ``want`` (the ``_1d``,
    ``_2d``, ``_3d`` variants) is checked, ``None`` takes any number from one up."""
    shape = shape_of(x, fn, arg)
    n = len(shape) - 2
    if want is not None and n != want:
        raise ShapeError(f"{fn}: {arg} must have {want + 2} dimensions (batch, channels and {want} "
                         f"spatial axes), got shape {shape}")
    if n < 1:
        raise ShapeError(f"{fn}: {arg} must have at least 3 dimensions (batch, channels, spatial...), "
                         f"got shape {shape}")
    return n
