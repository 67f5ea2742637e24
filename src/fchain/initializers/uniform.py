"""Uniform initializers: ``Uniform`` and the fan-scaled ``LeCunUniform``,
``GlorotUniform`` and ``HeUniform``.

Each draws float64 samples from U[-s, s) on the host and casts them into the array:

- ``Uniform(scale=0.05)``: s = scale
- ``LeCunUniform(scale=1.0)``: s = scale * sqrt(3 / fan_in)
- ``GlorotUniform(scale=1.0)``: s = scale * sqrt(6 / (fan_in + fan_out))
- ``HeUniform(scale=1.0)``: s = scale * sqrt(6 / fan_in)
"""

from __future__ import annotations

from typing import ClassVar

from fchain.initializers._base import Initializer, RandomSource, draw_uniform, fill
from fchain.initializers._fan_scaled import FanScaled
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


class _FanScaledUniform(FanScaled):
    """U[-s, s) with the fan-scaled s of ``FanScaled``."""

    def _distribution(self, s: float) -> Initializer:
        return Uniform(s, rng=self.rng)


class LeCunUniform(_FanScaledUniform):
    """U[-s, s) with s = scale * sqrt(3 / fan_in)."""

    gain: ClassVar[float] = 3.0


class GlorotUniform(_FanScaledUniform):
    """U[-s, s) with s = scale * sqrt(6 / (fan_in + fan_out))."""

    gain: ClassVar[float] = 6.0

    def _fan(self, fan_in: int, fan_out: int) -> int:
        return fan_in + fan_out


class HeUniform(_FanScaledUniform):
    """U[-s, s) with s = scale * sqrt(6 / fan_in)."""

    gain: ClassVar[float] = 6.0
