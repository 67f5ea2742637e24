"""StepShift: multiply an optimizer hyperparameter by ``gamma`` every ``step`` calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.training.extensions._shift import ShiftBase, stop_at_target

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["StepShift"]


class StepShift(ShiftBase):
    """Sets ``optimizer.<attr>`` to ``init * gamma ** floor(t / step)`` at the
    ``t``-th call (Chainer's ``StepShift``).

    ``init`` defaults to the attribute's value when training starts; once the value
    passes ``target`` it stays there; ``optimizer`` defaults to the ``main`` one.
    ``initialize`` sets the attribute to ``init`` (or, on resume, to the last value).
    """

    def __init__(self, attr: str, gamma: float, step: int, init: float | None = None,
                 target: float | None = None, optimizer: object | None = None) -> None:
        super().__init__(attr, optimizer)
        if step <= 0:
            raise ValueError(f"StepShift: step must be positive, got {step}")
        self._gamma = gamma
        self._step = step
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
        value = self._init * self._gamma ** float(self._t // self._step)
        self._update_value(optimizer, stop_at_target(value, self._target, self._gamma > 1))
