"""TimeTrigger: fire every ``period`` seconds of training time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["TimeTrigger"]


class TimeTrigger:
    """Fires when ``trainer.elapsed_time`` passes the next multiple of ``period``."""

    def __init__(self, period: float) -> None:
        if period <= 0:
            raise ValueError(f"TimeTrigger: period must be positive, got {period}")
        self._period = float(period)
        self._next_time = float(period)

    def __call__(self, trainer: Trainer) -> bool:
        if self._next_time < trainer.elapsed_time:
            self._next_time += self._period
            return True
        return False

    def serialize(self, serializer: AbstractSerializer) -> None:
        self._next_time = float(serializer("next_time", self._next_time))
