"""Helpers shared by the optimizer modules (not public)."""

from __future__ import annotations

from typing import Any

import numpy

from fchain.core import backend
from fchain.graph.variable import Variable
from fchain.types import Array, ArrayNamespace

__all__ = ["NUMPY", "check_eps", "compute_dtype", "ones_like_param", "zeros_like_param"]

NUMPY: ArrayNamespace = numpy


def zeros_like_param(param: Variable) -> Array:
    """Zeros of the parameter's shape and dtype, on its device."""
    data = param.data
    return backend.namespace_of(data).zeros_like(data)


def ones_like_param(param: Variable) -> Array:
    """Ones of the parameter's shape and dtype, on its device."""
    data = param.data
    return backend.namespace_of(data).ones_like(data)


def compute_dtype(dtype: numpy.dtype[Any]) -> numpy.dtype[Any]:
    """The dtype Adam computes in: float32 for float16 parameters, else their own."""
    return numpy.dtype(numpy.float32) if dtype == numpy.float16 else dtype


def check_eps(optimizer: str, eps: float, dtype: numpy.dtype[Any]) -> None:
    """Raise when ``eps`` is nonzero but rounds to zero in ``dtype`` (it would no
    longer guard the division it is there for)."""
    if eps != 0 and dtype.type(eps) == 0:
        raise ValueError(
            f"{optimizer}: eps={eps} is too small for {dtype.name} (it rounds to 0); "
            f"use a larger eps or a wider parameter dtype")
