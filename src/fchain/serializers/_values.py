"""A stored value against the target's: what a file declares, what it holds, and
the conversion into the target.

A load compares in two stages so that a file is never trusted with memory before it
has been compared with the target.  ``declared_problem`` compares what the file
*declares* (shape and dtype, read from a header without touching the data) with
the value the target asks with; only when that fits is the data read, so reading
allocates no more than the target's own array.  ``stored_problem`` then checks the
array actually read, and ``convert_scalar`` turns it into the target's type.

A target that asks with ``None`` (a lazy parameter, a fresh optimizer state) lets
the file decide the shape; there the format's own ``Declared.problem`` (data the
file declares but cannot hold) is what keeps a crafted header from allocating.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy

from fchain.core import backend
from fchain.types import Array

__all__ = ["Declared", "convert_scalar", "declared_problem", "describe", "is_array", "stored_problem"]

_PY_SCALAR_DTYPES: dict[type, numpy.dtype[Any]] = {
    bool: numpy.dtype(numpy.bool_),
    int: numpy.dtype(numpy.int64),
    float: numpy.dtype(numpy.float64),
    complex: numpy.dtype(numpy.complex128),
}


@dataclass(frozen=True)
class Declared:
    """What a file says about a stored value before any of its data is read.

    ``dtype`` is the declared dtype (a text of unknown length is ``numpy.str_``'s
    ``<U0``); ``problem`` says why the declaration cannot be true, typically more
    data declared than the file holds, or is ``None``.
    """

    shape: tuple[int, ...]
    dtype: numpy.dtype[Any]
    problem: str | None = None

    @property
    def nbytes(self) -> int:
        """The declared size of the data in bytes (a Python int: no overflow)."""
        return math.prod(self.shape) * self.dtype.itemsize


def describe(shape: tuple[int, ...], dtype: numpy.dtype[Any]) -> str:
    """``float32 array of shape (3, 2)``."""
    return f"{dtype} array of shape {shape}"


def is_array(value: object) -> TypeGuard[Array]:
    """A numpy or CuPy array (what ``serialize`` passes for an array value)."""
    return isinstance(value, numpy.ndarray) or backend.is_cupy_array(value)


def _array_problem(key: str, shape: tuple[int, ...], dtype: numpy.dtype[Any], target: Array) -> str | None:
    if shape != tuple(target.shape):
        return f"{key!r}: shape {shape} in the file, {tuple(target.shape)} in the target"
    if not numpy.can_cast(dtype, target.dtype, casting="same_kind"):
        return f"{key!r}: the file's {dtype} cannot be cast to the target's {target.dtype}"
    return None


def _scalar_kind_problem(key: str, shape: tuple[int, ...], dtype: numpy.dtype[Any], target: object) -> str | None:
    """The checks a scalar target needs that look at no data: 0-d, and a number
    that casts safely (Chainer's rule, except integer to int)."""
    kind = type(target)
    if dtype.hasobject:
        return f"{key!r}: unreadable object array in the file"
    if kind in _PY_SCALAR_DTYPES or kind is str or issubclass(kind, numpy.generic):
        if len(shape) != 0:
            return f"{key!r}: the target is a {kind.__name__} scalar but the file holds a {describe(shape, dtype)}"
        if issubclass(dtype.type, numpy.number) and not (issubclass(dtype.type, numpy.integer) and kind is int):
            want = _PY_SCALAR_DTYPES.get(kind)
            if want is None and issubclass(kind, numpy.generic):
                want = numpy.dtype(kind)
            if want is not None and not numpy.can_cast(dtype, want):
                return f"{key!r}: the file's {dtype} cannot be cast safely to the target's {kind.__name__}"
    return None


def declared_problem(key: str, declared: Declared, value: object) -> str | None:
    """Whether a value the file declares can go where the target asks with ``value``
    (``None``: the file decides), judged before any data is read."""
    if value is not None:
        if is_array(value):
            problem = _array_problem(key, declared.shape, declared.dtype, value)
        else:
            problem = _scalar_kind_problem(key, declared.shape, declared.dtype, value)
        if problem is not None:
            return problem
    if declared.problem is not None:
        return f"{key!r}: {declared.problem}"
    return None


def stored_problem(key: str, stored: Array, target: object) -> str | None:
    """Whether the array read from the file can go into ``target``."""
    if is_array(target):
        return _array_problem(key, tuple(stored.shape), stored.dtype, target)
    problem = _scalar_kind_problem(key, tuple(stored.shape), stored.dtype, target)
    if problem is not None:
        return problem
    try:
        convert_scalar(stored, target)
    except (TypeError, ValueError) as exc:
        return f"{key!r}: cannot convert the file's {describe(tuple(stored.shape), stored.dtype)} to {type(target).__name__}: {exc}"
    return None


def convert_scalar(stored: Array, target: object) -> object:
    """The stored 0-d array as the target's scalar type."""
    kind: Any = type(target)
    if kind is str:
        return str(stored[()])
    return kind(stored[()] if stored.ndim == 0 else stored)
