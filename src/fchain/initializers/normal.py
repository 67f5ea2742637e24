"""Gaussian initializers: ``Normal`` and the fan-scaled ``LeCunNormal``,
``GlorotNormal`` and ``HeNormal``.

Each draws float64 samples from N(0, s^2) on the host (see ``_base`` for the random
source) and casts them into the array, as Chainer does on the CPU:

- ``Normal(scale=0.05)``: s = scale
- ``LeCunNormal(scale=1.0)``: s = scale * sqrt(1 / fan_in)
- ``GlorotNormal(scale=1.0)``: s = scale * sqrt(2 / (fan_in + fan_out))
- ``HeNormal(scale=1.0, fan_option='fan_in')``: s = scale * sqrt(2 / fan)
"""

from __future__ import annotations

from typing import ClassVar, Literal

from fchain.initializers._base import Initializer, RandomSource, draw_normal, fill
from fchain.initializers._fan_scaled import FanScaled
from fchain.types import Array, DTypeLike

__all__ = ["GlorotNormal", "HeNormal", "LeCunNormal", "Normal"]


class Normal(Initializer):
    """Samples from N(0, scale^2)."""

    def __init__(self, scale: float = 0.05, dtype: DTypeLike | None = None,
                 rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        fill(array, draw_normal(self.rng, self.scale, tuple(array.shape)))


class _FanScaledNormal(FanScaled):
    """N(0, s^2) with the fan-scaled s of ``FanScaled``."""

    def _distribution(self, s: float) -> Initializer:
        return Normal(s, rng=self.rng)


class LeCunNormal(_FanScaledNormal):
    """N(0, s^2) with s = scale * sqrt(1 / fan_in): Chainer's default for ``Linear.W``."""

    gain: ClassVar[float] = 1.0


class GlorotNormal(_FanScaledNormal):
    """N(0, s^2) with s = scale * sqrt(2 / (fan_in + fan_out))."""

    gain: ClassVar[float] = 2.0

    def _fan(self, fan_in: int, fan_out: int) -> int:
        return fan_in + fan_out


class HeNormal(_FanScaledNormal):
    """N(0, s^2) with s = scale * sqrt(2 / fan), fan = fan_in or fan_out."""

    gain: ClassVar[float] = 2.0

    def __init__(self, scale: float = 1.0, dtype: DTypeLike | None = None,
                 fan_option: Literal["fan_in", "fan_out"] = "fan_in",
                 rng: RandomSource | None = None) -> None:
        super().__init__(scale, dtype, rng)
        if fan_option not in ("fan_in", "fan_out"):
            raise ValueError(f"HeNormal: fan_option must be 'fan_in' or 'fan_out', got {fan_option!r}")
        self.fan_option = fan_option

    def _fan(self, fan_in: int, fan_out: int) -> int:
        return fan_in if self.fan_option == "fan_in" else fan_out
