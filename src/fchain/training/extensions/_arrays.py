"""Small numpy/CuPy helpers for extensions (outside the op rules' namespace)."""

from __future__ import annotations

from types import ModuleType

import numpy

from fchain.core.backend import cupy_module, is_cupy_array
from fchain.types import Array

__all__ = ["all_finite", "array_module", "to_float"]


def array_module(a: object) -> ModuleType:
    """``cupy`` for a CuPy array, else ``numpy``."""
    if is_cupy_array(a):
        cp = cupy_module()
        if cp is not None:
            return cp
    return numpy


def all_finite(a: Array) -> bool:
    """True when no element of ``a`` is NaN or infinite."""
    xp = array_module(a)
    return bool(xp.isfinite(a).all())


def to_float(value: object) -> float:
    """A Python float from a number, a 0-d (or one-element) array or a Variable."""
    array = getattr(value, "array", value)
    item = getattr(array, "item", None)
    if item is not None:
        return float(item())
    if isinstance(array, (int, float)):
        return float(array)
    raise TypeError(f"expected a number, an array or a Variable, got {type(value).__name__}")
