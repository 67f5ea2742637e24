"""How links turn an ``initialW``-style argument into an initializer (Chainer's rules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy

from fchain.core import backend
from fchain.initializers._base import InitializerLike
from fchain.initializers.constant import Constant
from fchain.types import Array

__all__ = ["as_initializer"]


def as_initializer(value: InitializerLike, default: Callable[[], Callable[[Array], None]],
                   where: str) -> Callable[[Array], None]:
    """``None`` -> ``default()``; a scalar or an array -> ``Constant(value)``; a
    callable -> itself; anything else is a ``TypeError`` naming ``where``."""
    if value is None:
        return default()
    if isinstance(value, (int, float, numpy.number, numpy.bool_)) and not isinstance(value, bool):
        return Constant(float(value))
    if isinstance(value, numpy.ndarray):
        return Constant(value)
    if backend.is_cupy_array(value):
        return Constant(cast(Array, value))
    if callable(value):
        return value
    raise TypeError(
        f"{where}: expected an initializer, a callable, an array, a scalar or None, "
        f"got {type(value).__name__}")
