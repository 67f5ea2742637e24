"""ExponentialShift: multiply an optimizer hyperparameter by ``rate`` at each call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.training.extensions._shift import ShiftBase, stop_at_target

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["ExponentialShift"]


class ExponentialShift(ShiftBase):
    """Sets ``optimizer.<attr>`` to ``init * rate ** t`` at the ``t``-th call
    (Chainer's ``ExponentialShift``); the typical use is learning-rate decay::

        trainer.extend(extensions.ExponentialShift('lr', 0.5), trigger=(10, 'epoch'))

    ``init`` defaults to the attribute's value when training starts.  Once the value
    passes ``target`` it stays there.  ``optimizer`` defaults to the updater's
    ``main`` optimizer.  Before training (and on resume) ``initialize`` sets the
    attribute to ``init`` (or to the last value set before the snapshot).
    """

    def __init__(self, attr: str, rate: float, init: float | None = None, target: float | None = None,
                 optimizer: object | None = None) -> None:
        super().__init__(attr, optimizer)
        if rate < 0:
            raise ValueError(f"ExponentialShift: rate must not be negative, got {rate}")
        self._rate = rate
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
        value = self._init * self._rate ** self._t
        self._update_value(optimizer, stop_at_target(value, self._target, self._rate > 1))
