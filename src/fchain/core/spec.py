"""Gradient specifications: how the property tests exercise an op.

A spec is pure data plus a ``sample`` function that draws one test case through the
``Draw`` protocol.  The test-suite implements ``Draw`` with hypothesis; nothing here
imports hypothesis, so the specs ship with the library and users can reuse them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from fchain.types import Array, Shape

__all__ = ["Case", "Draw", "GradSpec", "NotDifferentiable"]

T = TypeVar("T")


class Draw(Protocol):
    """What a spec's ``sample`` may ask for.  Arrays come back as float64 or int64."""

    def shape(self, min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
              max_side: int = 4) -> Shape: ...

    def floats(self, shape: Shape, low: float = -2.0, high: float = 2.0,
               kinks: Sequence[float] = (), margin: float = 0.05) -> Array:
        """Uniform-ish floats in [low, high], at least ``margin`` from every kink."""
        ...

    def distinct(self, shape: Shape, gap: float = 0.2) -> Array:
        """Floats whose pairwise differences all exceed ``gap`` (no ties)."""
        ...

    def integers(self, shape: Shape, low: int, high: int) -> Array:
        """int64 values in [low, high]."""
        ...

    def integer(self, low: int, high: int) -> int: ...

    def boolean(self) -> bool: ...

    def choice(self, options: Sequence[T]) -> T: ...

    def broadcastable_shape(self, shape: Shape) -> Shape:
        """A shape that broadcasts to ``shape`` (dims dropped or set to 1)."""
        ...


@dataclass(frozen=True, slots=True)
class Case:
    """One concrete test of an op.

    ``call`` receives one ``Variable`` per entry of ``inputs`` (integer inputs are
    passed as Variables too) and returns a Variable or a tuple of them.
    ``check`` lists the indices of the inputs whose gradient is checked; by default
    every floating input.
    """

    inputs: tuple[Array, ...]
    call: Callable[..., object]
    check: tuple[int, ...] | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class GradSpec:
    """How to test an op's backward: draw cases, and how tightly to compare.

    ``double`` says whether the op's backward is itself differentiable (checked with
    ``check_double_backward``).  Tolerances are per dtype of the analytic side; the
    numerical side is always float64.
    """

    sample: Callable[[Draw], Case]
    double: bool = True
    rtol64: float = 1e-5
    atol64: float = 1e-7
    rtol32: float = 1e-3
    atol32: float = 1e-4
    float32: bool = True
    conventions: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class NotDifferentiable:
    """Marks an op that has no gradient (argmax, accuracy, ...), with the reason.

    ``sample`` still draws cases, so the forward tests and the "gradient is None"
    test run over it.
    """

    reason: str
    sample: Callable[[Draw], Case]
