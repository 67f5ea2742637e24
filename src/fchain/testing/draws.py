"""Two implementations of ``Draw``, the protocol an op's ``GradSpec.sample`` draws
its test case through (``fchain.testing.op.Draw``).

* ``HypothesisDraw(data)``: on top of hypothesis' ``st.data()``, for property
  tests.  Shapes, axes and choices are drawn by hypothesis itself, so a failure
  shrinks to small shapes; array values come from a numpy ``Generator`` seeded by
  hypothesis, which keeps drawing fast (hypothesis drawing every element of every
  array is slow and shrinks values nobody reads).
* ``RandomDraw(seed)``: plain numpy, no hypothesis: reproducible single cases
  (the sensitivity meta-test of ``fchain.testing.op_check`` uses it, and so can a
  quick script).

Both keep drawn floats away from the kinks a spec names and produce no ties where
a spec asks for ``distinct`` values, so a numerical gradient never straddles a
point where the function is not differentiable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy

from fchain.types import Array, Shape

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["DrawSource", "HypothesisDraw", "RandomDraw", "away_from_kinks", "spread_values"]

T = TypeVar("T")


class DrawSource(Protocol):
    """What ``HypothesisDraw`` draws from: hypothesis' ``st.data()`` object, or
    anything with its ``draw(strategy, label)`` (a composite's draw function,
    wrapped)."""

    def draw(self, strategy: SearchStrategy[T], label: object = None) -> T: ...


def away_from_kinks(x: Array, kinks: Sequence[float], margin: float) -> Array:
    """``x`` with every value closer than ``margin`` to a kink pushed out to
    ``margin + |x - k|`` on the same side (so the distribution stays smooth away
    from the kinks instead of piling up at ``k +- margin``)."""
    for k in kinks:
        near = numpy.abs(x - k) < margin
        direction = numpy.where(x >= k, 1.0, -1.0)
        x = numpy.where(near, k + direction * (margin + numpy.abs(x - k)), x)
    return numpy.asarray(x, dtype=numpy.float64)


def spread_values(order: Array, jitter: Array, shape: Shape, gap: float) -> Array:
    """Values whose pairwise differences all exceed ``gap``: a permutation
    ``order`` of ``0..n-1`` scaled by ``gap``, centred, plus a jitter below
    ``gap / 4`` (so neighbours stay more than ``gap / 2`` apart)."""
    n = order.size
    values = (order.astype(numpy.float64) - (n - 1) / 2) * gap + jitter
    return values.reshape(shape)


def _broadcastable(shape: Shape, drop: int, ones: Sequence[bool]) -> Shape:
    kept = list(shape[drop:])
    for i, one in enumerate(ones[:len(kept)]):
        if one:
            kept[i] = 1
    return tuple(kept)


class RandomDraw:
    """``Draw`` from a numpy ``Generator`` alone (see the module docstring)."""

    def __init__(self, seed: int | numpy.random.Generator = 0) -> None:
        self.rng: numpy.random.Generator = (
            seed if isinstance(seed, numpy.random.Generator) else numpy.random.default_rng(seed))

    def shape(self, min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
              max_side: int = 4) -> Shape:
        ndim = int(self.rng.integers(min_dims, max_dims + 1))
        return tuple(int(n) for n in self.rng.integers(min_side, max_side + 1, size=ndim))

    def floats(self, shape: Shape, low: float = -2.0, high: float = 2.0,
               kinks: Sequence[float] = (), margin: float = 0.05) -> Array:
        return away_from_kinks(self.rng.uniform(low, high, size=shape), kinks, margin)

    def distinct(self, shape: Shape, gap: float = 0.2) -> Array:
        n = int(numpy.prod(shape)) if shape else 1
        return spread_values(self.rng.permutation(n), self.rng.uniform(0.0, gap / 4, size=n), shape, gap)

    def integers(self, shape: Shape, low: int, high: int) -> Array:
        return self.rng.integers(low, high + 1, size=shape).astype(numpy.int64)

    def integer(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))

    def boolean(self) -> bool:
        return bool(self.rng.integers(0, 2))

    def choice(self, options: Sequence[T]) -> T:
        return options[int(self.rng.integers(0, len(options)))]

    def broadcastable_shape(self, shape: Shape) -> Shape:
        drop = int(self.rng.integers(0, len(shape) + 1))
        return _broadcastable(shape, drop, [self.boolean() for _ in shape])


class HypothesisDraw:
    """``Draw`` on top of hypothesis' ``st.data()`` (see the module docstring).

    ``rng`` is the numpy Generator behind the array values; a test may use it for
    anything else it needs at random (output gradients, directions), so the whole
    example replays from hypothesis' record.
    """

    def __init__(self, data: DrawSource) -> None:
        from hypothesis import strategies as st

        self._st = st
        self._data = data
        self.rng: numpy.random.Generator = numpy.random.default_rng(
            data.draw(st.integers(0, 2**32 - 1), label="seed"))

    def shape(self, min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
              max_side: int = 4) -> Shape:
        st = self._st
        sides = self._data.draw(
            st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims),
            label="shape")
        return tuple(sides)

    def floats(self, shape: Shape, low: float = -2.0, high: float = 2.0,
               kinks: Sequence[float] = (), margin: float = 0.05) -> Array:
        return away_from_kinks(self.rng.uniform(low, high, size=shape), kinks, margin)

    def distinct(self, shape: Shape, gap: float = 0.2) -> Array:
        n = int(numpy.prod(shape)) if shape else 1
        return spread_values(self.rng.permutation(n), self.rng.uniform(0.0, gap / 4, size=n), shape, gap)

    def integers(self, shape: Shape, low: int, high: int) -> Array:
        return self.rng.integers(low, high + 1, size=shape).astype(numpy.int64)

    def integer(self, low: int, high: int) -> int:
        return self._data.draw(self._st.integers(low, high))

    def boolean(self) -> bool:
        return self._data.draw(self._st.booleans())

    def choice(self, options: Sequence[T]) -> T:
        return self._data.draw(self._st.sampled_from(list(options)))

    def broadcastable_shape(self, shape: Shape) -> Shape:
        st = self._st
        drop = self._data.draw(st.integers(0, len(shape)))
        return _broadcastable(shape, drop, [self._data.draw(st.booleans()) for _ in shape[drop:]])
