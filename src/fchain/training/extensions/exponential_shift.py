"""ExponentialShift: multiply an optimizer hyperparameter by ``rate`` at each call."""

from __future__ import annotations

from fchain.training.extensions._shift import FormulaShift, stop_at_target

__all__ = ["ExponentialShift"]


class ExponentialShift(FormulaShift):
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
        super().__init__(attr, init, target, optimizer)
        if rate < 0:
            raise ValueError(f"ExponentialShift: rate must not be negative, got {rate}")
        self._rate = rate

    def _value(self, init: float) -> float:
        value = init * self._rate ** self._t
        return stop_at_target(value, self._target, self._rate > 1)
