"""LinearShift: move an optimizer hyperparameter linearly between two values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.training.extensions._shift import ShiftBase

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["LinearShift"]


class LinearShift(ShiftBase):
    """With ``value_range == (v1, v2)`` and ``time_range == (t1, t2)``, sets
    ``optimizer.<attr>`` to ``v1`` up to the ``t1``-th call, then linearly to ``v2``
    by the ``t2``-th call, and keeps ``v2`` after (Chainer's ``LinearShift``; a
    typical use is warming up the momentum).  ``initialize`` sets the value for
    call 0 (``v1``), or on resume the last value set.
    """

    _fchain_extras: tuple[str, ...] = ()

    def __init__(self, attr: str, value_range: tuple[float, float], time_range: tuple[int, int],
                 optimizer: object | None = None) -> None:
        super().__init__(attr, optimizer)
        if len(value_range) != 2 or len(time_range) != 2:
            raise ValueError(f"LinearShift: value_range and time_range must be pairs, "
                             f"got {value_range!r} and {time_range!r}")
        self._value_range = (value_range[0], value_range[1])
        self._time_range = (time_range[0], time_range[1])

    def initialize(self, trainer: Trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        value = self._compute_next_value() if self._last_value is None else self._last_value
        self._update_value(optimizer, value)

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        self._update_value(self._get_optimizer(trainer), self._compute_next_value())

    def _compute_next_value(self) -> float:
        t1, t2 = self._time_range
        v1, v2 = self._value_range
        if self._t <= t1:
            return v1
        if self._t >= t2:
            return v2
        rate = (self._t - t1) / (t2 - t1)
        return v1 + rate * (v2 - v1)
