"""Uniform initializers: ``Uniform`` and the fan-scaled ``LeCunUniform``,
``GlorotUniform`` and ``HeUniform``.

Each draws float64 samples from U[-s, s) on the host and casts them into the array:

- ``Uniform(scale=0.05)``: s = scale
- ``LeCunUniform(scale=1.0)``: s = scale * sqrt(3 / fan_in)
- ``GlorotUniform(scale=1.0)``: s = scale * sqrt(6 / (fan_in + fan_out))
- ``HeUniform(scale=1.0)``: s = scale * sqrt(6 / fan_in)
"""

from __future__ import annotations

import math

from fchain.initializers._base import Initializer, RandomSource, draw_uniform, fill, get_fans
from fchain.types import Array, DTypeLike

__all__ = ["GlorotUniform", "HeUniform", "LeCunUniform", "Uniform"]


class Uniform(Initializer):
    """Samples from U[-scale, scale)."""

    def __init__(self, scale: float = 0.05, dtype: DTypeLike | None = None,
                 rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        fill(array, draw_uniform(self.rng, -self.scale, self.scale, tuple(array.shape)))


class LeCunUniform(Initializer):
    """U[-s, s) with s = scale * sqrt(3 / fan_in)."""

    def __init__(self, scale: float = 1.0, dtype: DTypeLike | None = None,
                 rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        fan_in, _ = get_fans(array.shape)
        Uniform(self.scale * math.sqrt(3.0 / fan_in), rng=self.rng)(array)


class GlorotUniform(Initializer):
    """U[-s, s) with s = scale * sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, scale: float = 1.0, dtype: DTypeLike | None = None,
                 rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        fan_in, fan_out = get_fans(array.shape)
        Uniform(self.scale * math.sqrt(6.0 / (fan_in + fan_out)), rng=self.rng)(array)


class HeUniform(Initializer):
    """U[-s, s) with s = scale * sqrt(6 / fan_in)."""

    def __init__(self, scale: float = 1.0, dtype: DTypeLike | None = None,
                 rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        fan_in, _ = get_fans(array.shape)
        Uniform(self.scale * math.sqrt(6.0 / fan_in), rng=self.rng)(array)
