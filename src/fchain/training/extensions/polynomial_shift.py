"""PolynomialShift: ``init * (1 - t / max_count) ** rate`` (polynomial decay)."""

from __future__ import annotations

from fchain.training.extensions._shift import FormulaShift, ratio_to_value

__all__ = ["PolynomialShift"]


class PolynomialShift(FormulaShift):
    """Sets ``optimizer.<attr>`` to ``init * max(1 - t / max_count, 0) ** rate`` at
    the ``t``-th call (Chainer's ``PolynomialShift``); ``max_count`` is the number of
    calls the decay spans (the number of iterations, with the default trigger).

    ``init`` defaults to the attribute's value when training starts; the value
    never goes below ``target`` (above it, for a negative ``rate``); ``optimizer``
    defaults to the ``main`` one.
    """

    def __init__(self, attr: str, rate: float, max_count: int, init: float | None = None,
                 target: float | None = None, optimizer: object | None = None) -> None:
        super().__init__(attr, init, target, optimizer)
        if max_count <= 0:
            raise ValueError(f"PolynomialShift: max_count must be positive, got {max_count}")
        self._rate = rate
        self._max_count = max_count

    def _value(self, init: float) -> float:
        decay = max(1 - self._t / self._max_count, 0.0)
        value: float = init * decay ** self._rate
        target = self._target
        if target is not None:
            # Chainer's test on target / value: like max(value, target) for a
            # positive decay, but valid for negative values too.
            ratio = ratio_to_value(target, value, init)
            if (ratio > 1) if self._rate > 0 else (ratio < 1):
                value = target
        return value
