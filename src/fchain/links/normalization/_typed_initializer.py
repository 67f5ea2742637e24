"""``with_dtype``: an initializer made to produce one dtype, without changing the
caller's object.

The normalization links keep ``gamma``, ``beta`` and the running statistics in a
"high precision" dtype (``get_dtype(dtype, map_mixed16=float32)``: float32 under
``mixed16``) whatever dtype the initializer was made for.  Chainer sets the dtype
on the initializer the user passed (mutating it); fchain sets it on a copy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy

from fchain.initializers._base import Initializer
from fchain.types import Array, DTypeLike

__all__ = ["with_dtype"]


class _Typed:
    """A plain fill callable, with the ``dtype`` attribute parameters read."""

    def __init__(self, fill: Callable[[Array], None], dtype: numpy.dtype[Any]) -> None:
        self.fill = fill
        self.dtype = dtype

    def __call__(self, array: Array) -> None:
        self.fill(array)


def with_dtype(initializer: Callable[[Array], None], dtype: DTypeLike) -> Callable[[Array], None]:
    """``initializer`` producing ``dtype``: a copy of an ``Initializer`` with its
    ``dtype`` replaced, or a plain callable wrapped with that ``dtype``."""
    chosen: numpy.dtype[Any] = numpy.dtype(dtype)
    if isinstance(initializer, Initializer):
        typed = copy.copy(initializer)
        typed.dtype = chosen
        return typed
    return _Typed(initializer, chosen)
