"""BestValueTrigger, MaxValueTrigger, MinValueTrigger: fire on a new best observation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer
from fchain.training.triggers.interval import IntervalTrigger
from fchain.training.triggers.util import get_trigger

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["BestValueTrigger", "MaxValueTrigger", "MinValueTrigger"]


class BestValueTrigger:
    """Averages ``key`` between checks (every ``trigger``) and fires when the mean
    is better than every earlier one by ``compare(best, current)``."""

    def __init__(self, key: str, compare: Callable[[float, float], bool],
                 trigger: TriggerLike = (1, "epoch")) -> None:
        from fchain.facade.reporter import DictSummary

        self._key = key
        self._compare = compare
        self._best_value: float | None = None
        self._interval_trigger = get_trigger(trigger)
        self._summary = DictSummary()

    def __call__(self, trainer: Trainer) -> bool:
        observation = trainer.observation
        if self._key in observation:
            self._summary.add({self._key: observation[self._key]})
        if not self._interval_trigger(trainer):
            return False
        stats = self._summary.compute_mean()
        from fchain.facade.reporter import DictSummary

        self._summary = DictSummary()
        if self._key not in stats:
            return False
        value = float(stats[self._key])
        if self._best_value is None or self._compare(self._best_value, value):
            self._best_value = value
            return True
        return False

    def serialize(self, serializer: AbstractSerializer) -> None:
        if isinstance(self._interval_trigger, IntervalTrigger):
            self._interval_trigger.serialize(serializer["interval_trigger"])
        self._summary.serialize(serializer["summary"])
        stored = serializer("best_value", self._best_value if self._best_value is not None else float("nan"))
        if stored is not None:
            value = float(stored)
            self._best_value = None if value != value else value


class MaxValueTrigger(BestValueTrigger):
    """Fires when ``key`` reaches a new maximum."""

    def __init__(self, key: str, trigger: TriggerLike = (1, "epoch")) -> None:
        super().__init__(key, lambda best, current: current > best, trigger)


class MinValueTrigger(BestValueTrigger):
    """Fires when ``key`` reaches a new minimum."""

    def __init__(self, key: str, trigger: TriggerLike = (1, "epoch")) -> None:
        super().__init__(key, lambda best, current: current < best, trigger)
