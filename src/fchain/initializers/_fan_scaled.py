"""The base of the fan-scaled initializers (``LeCun*``, ``Glorot*``, ``He*``).

Each of them fills an array from a base distribution (``Normal`` or ``Uniform``)
whose scale is ``s = scale * sqrt(gain / fan)``, with ``fan`` one of the weight's
fans; only the gain, the fan and the distribution differ, so the computation is
written here once.
"""

from __future__ import annotations

import math
from typing import ClassVar

from fchain.initializers._base import Initializer, RandomSource, get_fans
from fchain.types import Array, DTypeLike

__all__ = ["FanScaled"]


class FanScaled(Initializer):
    """Fills from ``_distribution(scale * sqrt(gain / fan))``.

    Subclasses set ``gain``, implement ``_distribution`` and, when the fan is not
    ``fan_in``, override ``_fan``.
    """

    gain: ClassVar[float]

    def __init__(self, scale: float = 1.0, dtype: DTypeLike | None = None,
                 rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def _fan(self, fan_in: int, fan_out: int) -> int:
        """The fan the scale divides by (``fan_in`` unless a subclass says otherwise)."""
        return fan_in

    def _distribution(self, s: float) -> Initializer:
        """The base initializer of scale ``s`` drawing from ``self.rng``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _distribution")

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        fan_in, fan_out = get_fans(array.shape)
        self._distribution(self.scale * math.sqrt(self.gain / self._fan(fan_in, fan_out)))(array)
