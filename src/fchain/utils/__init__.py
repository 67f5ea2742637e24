"""``fchain.utils``: the small array helpers of Chainer's ``chainer.utils``, its
``argument`` (keyword parsing) and ``type_check`` (input checks of user functions)
modules, and ``WalkerAlias`` (the sampler of ``F.negative_sampling``)."""

from __future__ import annotations

from typing import Any, cast, overload

import numpy
import numpy.typing as npt

from fchain.core import backend as _backend
from fchain.core.broadcast import sum_to as _sum_to
from fchain.types import Array, DTypeLike, Shape
from fchain.utils import argument as argument
from fchain.utils import type_check as type_check
from fchain.utils.walker_alias import WalkerAlias as WalkerAlias

__all__ = [
    "WalkerAlias",
    "argument",
    "force_array",
    "force_type",
    "get_conv_outsize",
    "get_deconv_outsize",
    "sum_to",
    "type_check",
]


def force_array(x: npt.ArrayLike, dtype: DTypeLike | None = None) -> Array:
    """``x`` as an array: numpy turns 0-d results into scalars, this turns them back.

    An array (numpy or CuPy) is returned as it is, or cast to ``dtype`` (no copy when
    it already has it); anything else goes through ``numpy.asarray``.
    """
    if isinstance(x, numpy.ndarray) or _backend.is_cupy_array(x):
        array = cast(Array, x)  # a CuPy array stands in for an Array
        return array if dtype is None else array.astype(dtype, copy=False)
    return numpy.asarray(x, dtype=dtype)


@overload
def force_type(dtype: DTypeLike, value: Array) -> Array: ...
@overload
def force_type(dtype: DTypeLike, value: bool | int | float | complex | numpy.generic) -> numpy.generic: ...


def force_type(dtype: DTypeLike, value: Array | bool | int | float | complex | numpy.generic
               ) -> Array | numpy.generic:
    """``value`` in ``dtype``: a scalar becomes a numpy scalar of it, an array of
    another dtype is cast (an array already in ``dtype`` is returned unchanged)."""
    target: numpy.dtype[Any] = numpy.dtype(dtype)
    if isinstance(value, numpy.ndarray) or _backend.is_cupy_array(value):
        array = cast(Array, value)  # a CuPy array stands in for an Array
        return array if array.dtype == target else array.astype(target, copy=False)
    converted: numpy.generic = target.type(value)
    return converted


def sum_to(x: Array, shape: Shape) -> Array:
    """Sum ``x`` over broadcast axes so that it has ``shape`` (arrays, no graph)."""
    return _sum_to(_backend.namespace_of(x), x, tuple(shape))


def get_conv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False, d: int = 1) -> int:
    """Output length of a convolution (Chainer's formula)."""
    dk = k + (k - 1) * (d - 1)
    if cover_all:
        return (size + p * 2 - dk + s - 1) // s + 1
    return (size + p * 2 - dk) // s + 1


def get_deconv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False, d: int = 1) -> int:
    """Output length of a transposed convolution (Chainer's formula)."""
    dk = (k - 1) * d + 1
    if cover_all:
        return s * (size - 1) + dk - s + 1 - 2 * p
    return s * (size - 1) + dk - 2 * p
