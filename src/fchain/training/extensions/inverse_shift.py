"""InverseShift: Caffe's ``inv`` policy, ``init * (1 + gamma * t) ** -power``."""

from __future__ import annotations

from fchain.training.extensions._shift import FormulaShift, stop_at_target

__all__ = ["InverseShift"]


class InverseShift(FormulaShift):
    """Sets ``optimizer.<attr>`` to ``init * (1 + gamma * t) ** (-power)`` at the
    ``t``-th call (Chainer's ``InverseShift``, Caffe's ``inv`` learning-rate policy).

    ``gamma`` must not be negative.  ``init`` defaults to the attribute's value when
    training starts; once the value passes ``target`` it stays there; ``optimizer``
    defaults to the ``main`` one.
    """

    def __init__(self, attr: str, gamma: float, power: float, init: float | None = None,
                 target: float | None = None, optimizer: object | None = None) -> None:
        super().__init__(attr, init, target, optimizer)
        if gamma < 0:
            raise ValueError(f"InverseShift: gamma must not be negative, got {gamma}")
        self._gamma = gamma
        self._power = power

    def _value(self, init: float) -> float:
        value = init * (1 + self._gamma * self._t) ** (-self._power)
        return stop_at_target(value, self._target, self._power < 0)
