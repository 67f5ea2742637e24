"""IntervalTrigger: fire every ``period`` epochs or iterations."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["IntervalTrigger"]


class IntervalTrigger:
    """Fires when the epoch or iteration count crosses a multiple of ``period``.

    Remembering the previous position (and serializing it) makes the trigger fire
    at the same points after a resume as in an uninterrupted run, even when the
    period is not a whole number of epochs.
    """

    def __init__(self, period: int | float, unit: str) -> None:
        if unit not in ("epoch", "iteration"):
            raise ValueError(f"IntervalTrigger: unit must be 'epoch' or 'iteration', got {unit!r}")
        if period <= 0:
            raise ValueError(f"IntervalTrigger: period must be positive, got {period}")
        self.period = period
        self.unit = unit
        # Start at 0, as Chainer does: the Trainer asks its stop trigger before the
        # first update, and a negative start would make that first call fire.  (-1
        # marks "unknown", e.g. set from an old snapshot, and falls back to the updater.)
        self._previous_iteration = 0
        self._previous_epoch_detail = 0.0

    def __call__(self, trainer: Trainer) -> bool:
        updater = trainer.updater
        iteration = updater.iteration
        epoch_detail = updater.epoch_detail
        if self.unit == "epoch":
            previous = self._previous_epoch_detail
            if previous < 0:
                previous = updater.previous_epoch_detail
            fire = previous // self.period != epoch_detail // self.period
        else:
            previous_iteration = self._previous_iteration
            if previous_iteration < 0:
                previous_iteration = iteration - 1
            fire = previous_iteration // self.period != iteration // self.period
        self._previous_iteration = iteration
        self._previous_epoch_detail = epoch_detail
        return fire

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys ``previous_iteration`` and ``previous_epoch_detail``.  A
        snapshot without them (written by an old Chainer) loads with a warning, and
        the trigger then guesses the previous position from the updater."""
        self._serialize_state(serializer, guess_missing=True)

    def _serialize_state(self, serializer: AbstractSerializer, *, guess_missing: bool) -> None:
        """``serialize``; with ``guess_missing=False`` (``serialize_extra`` uses it) a
        missing key raises the deserializer's ``KeyError`` instead of being guessed."""
        try:
            self._previous_iteration = int(serializer("previous_iteration", self._previous_iteration))
        except KeyError:
            if not guess_missing:
                raise
            warnings.warn("IntervalTrigger: the snapshot has no previous_iteration; it is guessed "
                          "from the current iteration, which is only right if this trigger is "
                          "called every iteration", stacklevel=3)
            self._previous_iteration = -1
        try:
            self._previous_epoch_detail = float(
                serializer("previous_epoch_detail", self._previous_epoch_detail))
        except KeyError:
            if not guess_missing:
                raise
            warnings.warn("IntervalTrigger: the snapshot has no previous_epoch_detail; the "
                          "updater's previous_epoch_detail is used instead", stacklevel=3)
            self._previous_epoch_detail = -1.0

    def get_training_length(self) -> tuple[int | float, str]:
        return self.period, self.unit

    def __repr__(self) -> str:
        return f"IntervalTrigger({self.period}, {self.unit!r})"


