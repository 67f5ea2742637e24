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

import math
from typing import Literal

from fchain.initializers._base import Initializer, RandomSource, draw_normal, fill, get_fans
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


class LeCunNormal(Initializer):
    """N(0, s^2) with s = scale * sqrt(1 / fan_in): Chainer's default for ``Linear.W``."""

    def __init__(self, scale: float = 1.0, dtype: DTypeLike | None = None,
                 rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        fan_in, _ = get_fans(array.shape)
        Normal(self.scale * math.sqrt(1.0 / fan_in), rng=self.rng)(array)


class GlorotNormal(Initializer):
    """N(0, s^2) with s = scale * sqrt(2 / (fan_in + fan_out))."""

    def __init__(self, scale: float = 1.0, dtype: DTypeLike | None = None,
                 rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        fan_in, fan_out = get_fans(array.shape)
        Normal(self.scale * math.sqrt(2.0 / (fan_in + fan_out)), rng=self.rng)(array)


class HeNormal(Initializer):
    """N(0, s^2) with s = scale * sqrt(2 / fan), fan = fan_in or fan_out."""

    def __init__(self, scale: float = 1.0, dtype: DTypeLike | None = None,
                 fan_option: Literal["fan_in", "fan_out"] = "fan_in",
                 rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        if fan_option not in ("fan_in", "fan_out"):
            raise ValueError(f"HeNormal: fan_option must be 'fan_in' or 'fan_out', got {fan_option!r}")
        self.scale = scale
        self.fan_option = fan_option
        self.rng = rng

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        fan_in, fan_out = get_fans(array.shape)
        fan = fan_in if self.fan_option == "fan_in" else fan_out
        Normal(self.scale * math.sqrt(2.0 / fan), rng=self.rng)(array)
