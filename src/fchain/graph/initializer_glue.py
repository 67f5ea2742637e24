"""How a Parameter turns its ``initializer`` into an array.

Kept apart from ``fchain.initializers`` so Variable does not import every
initializer class: anything with ``__call__(array)`` (and optionally ``dtype``)
works, as in Chainer.
"""

from __future__ import annotations

from typing import Any

import numpy

from fchain.errors import ShapeError
from fchain.graph.config import config
from fchain.types import Array, DType, Shape

__all__ = ["generate_array", "initializer_dtype"]


def initializer_dtype(initializer: object) -> DType:
    """The dtype ``initializer`` produces: its own ``dtype`` or ``config.dtype``."""
    dtype = getattr(initializer, "dtype", None)
    if dtype is None:
        dtype = initializer.dtype if isinstance(initializer, numpy.ndarray) else config.dtype
    result: DType = numpy.dtype(dtype)
    return result


def generate_array(initializer: object, shape: Shape) -> Array:
    """A new host (numpy) array of ``shape`` filled by ``initializer``.

    ``None`` fills NaN (Chainer's default for a Parameter without initializer); a
    Python or numpy scalar fills a constant; an array is copied (shapes must match);
    anything callable is called with the new array to fill it in place.
    """
    dtype = initializer_dtype(initializer)
    array: Array = numpy.empty(shape, dtype=dtype)
    if initializer is None:
        array[...] = numpy.nan
    elif isinstance(initializer, (int, float, numpy.number, numpy.bool_)):
        array[...] = initializer
    elif isinstance(initializer, numpy.ndarray):
        if initializer.shape != tuple(shape):
            raise ShapeError(f"Parameter: initial array has shape {initializer.shape}, expected {tuple(shape)}")
        array[...] = initializer
    elif callable(initializer):
        initializer(array)
    else:
        raise TypeError(
            f"Parameter: initializer must be None, a scalar, an array or a callable, "
            f"got {type(initializer).__name__}"
        )
    return array
