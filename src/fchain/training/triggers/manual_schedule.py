"""ManualScheduleTrigger: fire at listed epochs or iterations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["ManualScheduleTrigger"]


class ManualScheduleTrigger:
    """Fires when training crosses any of ``points`` (in ``unit``); ``finished``
    becomes True after the last one."""

    points: list[int | float]
    unit: str
    finished: bool

    def __init__(self, points: int | float | Sequence[int | float], unit: str) -> None:
        if unit not in ("epoch", "iteration"):
            raise ValueError(f"ManualScheduleTrigger: unit must be 'epoch' or 'iteration', got {unit!r}")
        self.points = [points] if isinstance(points, (int, float)) else list(points)
        self.unit = unit
        self.finished = False
        self._previous_iteration = 0
        self._previous_epoch_detail = 0.0

    def __call__(self, trainer: Trainer) -> bool:
        updater = trainer.updater
        if self.unit == "epoch":
            now = updater.epoch_detail
            before = self._previous_epoch_detail
            fire = any(before < p <= now for p in self.points)
            if now >= max(self.points):
                self.finished = True
        else:
            now_i = updater.iteration
            before_i = self._previous_iteration
            fire = any(before_i < p <= now_i for p in self.points)
            if now_i >= max(self.points):
                self.finished = True
        self._previous_iteration = updater.iteration
        self._previous_epoch_detail = updater.epoch_detail
        return fire

    def serialize(self, serializer: AbstractSerializer) -> None:
        self._previous_iteration = int(serializer("previous_iteration", self._previous_iteration))
        self._previous_epoch_detail = float(serializer("previous_epoch_detail", self._previous_epoch_detail))
        self.finished = bool(serializer("finished", self.finished))
