"""InverseShift: Caffe's ``inv`` policy, ``init * (1 + gamma * t) ** -power``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.training.extensions._shift import ShiftBase, stop_at_target

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["InverseShift"]


class InverseShift(ShiftBase):
    """Sets ``optimizer.<attr>`` to ``init * (1 + gamma * t) ** (-power)`` at the
    ``t``-th call (Chainer's ``InverseShift``, Caffe's ``inv`` learning-rate policy).

    ``gamma`` must not be negative.  ``init`` defaults to the attribute's value when
    training starts; once the value passes ``target`` it stays there; ``optimizer``
    defaults to the ``main`` one.
    """

    def __init__(self, attr: str, gamma: float, power: float, init: float | None = None,
                 target: float | None = None, optimizer: object | None = None) -> None:
        super().__init__(attr, optimizer)
        if gamma < 0:
            raise ValueError(f"InverseShift: gamma must not be negative, got {gamma}")
        self._gamma = gamma
        self._power = power
        self._init = init
        self._target = target

    def initialize(self, trainer: Trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = self._read(optimizer)
        value = self._init if self._last_value is None else self._last_value
        self._update_value(optimizer, value)

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = self._read(optimizer)
        value = self._init * (1 + self._gamma * self._t) ** (-self._power)
        self._update_value(optimizer, stop_at_target(value, self._target, self._power < 0))
