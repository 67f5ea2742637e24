"""``fchain.utils``: the small array helpers of Chainer's ``chainer.utils``."""

from __future__ import annotations

from typing import Any

import numpy

from fchain.core import backend as _backend
from fchain.core.broadcast import sum_to as _sum_to
from fchain.types import Array, Shape

__all__ = ["force_array", "force_type", "get_conv_outsize", "get_deconv_outsize", "sum_to"]


def force_array(x: Any, dtype: Any = None) -> Array:
    """``x`` as an array: numpy turns 0-d results into scalars, this turns them back."""
    if isinstance(x, numpy.ndarray) or _backend.is_cupy_array(x):
        array: Array = x if dtype is None else x.astype(dtype, copy=False)
        return array
    return numpy.asarray(x, dtype=dtype)


def force_type(dtype: Any, value: Any) -> Any:
    """``value`` converted to ``dtype`` when it is a numpy scalar or array of another type."""
    if numpy.isscalar(value):
        return numpy.dtype(dtype).type(value)
    if value.dtype != dtype:
        return value.astype(dtype, copy=False)
    return value


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
