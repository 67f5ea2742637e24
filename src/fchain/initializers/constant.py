"""Deterministic initializers: ``Constant``, ``Zero``, ``One``, ``NaN``, ``Identity``."""

from __future__ import annotations

import numpy

from fchain.core import backend
from fchain.errors import ShapeError
from fchain.initializers._base import Initializer, fill
from fchain.types import Array, DTypeLike

__all__ = ["Constant", "Identity", "NaN", "One", "Zero"]


class Constant(Initializer):
    """Fills with ``fill_value``: a scalar, or an array broadcast to the target shape."""

    def __init__(self, fill_value: Array | float, dtype: DTypeLike | None = None) -> None:
        super().__init__(dtype)
        self.fill_value = fill_value

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        value = self.fill_value
        host = backend.to_numpy(value) if not isinstance(value, (int, float)) else numpy.asarray(value)
        try:
            numpy.broadcast_shapes(host.shape, array.shape)
        except ValueError:
            raise ShapeError(
                f"Constant: fill_value has shape {host.shape}, which does not broadcast to the "
                f"array's shape {array.shape}") from None
        fill(array, numpy.broadcast_to(host, array.shape))


class Zero(Constant):
    """Fills with 0 (Chainer's default for biases)."""

    def __init__(self, dtype: DTypeLike | None = None) -> None:
        super().__init__(0.0, dtype)


class One(Constant):
    """Fills with 1."""

    def __init__(self, dtype: DTypeLike | None = None) -> None:
        super().__init__(1.0, dtype)


class NaN(Constant):
    """Fills with NaN (what an uninitialized ``add_param`` parameter holds)."""

    def __init__(self, dtype: DTypeLike | None = None) -> None:
        super().__init__(numpy.nan, dtype)


class Identity(Initializer):
    """``scale`` times the identity matrix; the array must be square and 2-d."""

    def __init__(self, scale: float = 1.0, dtype: DTypeLike | None = None) -> None:
        super().__init__(dtype)
        self.scale = scale

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        shape = tuple(array.shape)
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ShapeError(
                f"Identity: only a square 2-d array can be initialized, got shape {shape}")
        fill(array, numpy.identity(shape[0]) * self.scale)
