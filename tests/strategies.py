"""``Draw`` (fchain.core.spec) implemented with hypothesis, for the op property tests.

Arrays are made by a numpy Generator seeded from hypothesis, which keeps drawing
fast; shapes, axes and choices are drawn by hypothesis itself, so failures shrink
to small shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy
from hypothesis import strategies as st

from fchain.types import Array, Shape

T = TypeVar("T")


class HypothesisDraw:
    """Implements ``fchain.core.spec.Draw`` on top of ``st.data()``."""

    def __init__(self, data: st.DataObject) -> None:
        self._data = data
        self.rng = numpy.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))

    def shape(self, min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
              max_side: int = 4) -> Shape:
        sides = self._data.draw(
            st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims),
            label="shape")
        return tuple(sides)

    def floats(self, shape: Shape, low: float = -2.0, high: float = 2.0,
               kinks: Sequence[float] = (), margin: float = 0.05) -> Array:
        x = self.rng.uniform(low, high, size=shape)
        for k in kinks:
            near = numpy.abs(x - k) < margin
            direction = numpy.where(x >= k, 1.0, -1.0)
            x = numpy.where(near, k + direction * (margin + numpy.abs(x - k)), x)
        return numpy.asarray(x, dtype=numpy.float64)

    def distinct(self, shape: Shape, gap: float = 0.2) -> Array:
        n = int(numpy.prod(shape)) if shape else 1
        order = self.rng.permutation(n).astype(numpy.float64)
        jitter = self.rng.uniform(0.0, gap / 4, size=n)
        values = (order - (n - 1) / 2) * gap + jitter
        return values.reshape(shape)

    def integers(self, shape: Shape, low: int, high: int) -> Array:
        return self.rng.integers(low, high + 1, size=shape).astype(numpy.int64)

    def integer(self, low: int, high: int) -> int:
        return self._data.draw(st.integers(low, high))

    def boolean(self) -> bool:
        return self._data.draw(st.booleans())

    def choice(self, options: Sequence[T]) -> T:
        return self._data.draw(st.sampled_from(list(options)))

    def broadcastable_shape(self, shape: Shape) -> Shape:
        drop = self._data.draw(st.integers(0, len(shape)))
        kept = list(shape[drop:])
        for i in range(len(kept)):
            if self._data.draw(st.booleans()):
                kept[i] = 1
        return tuple(kept)
