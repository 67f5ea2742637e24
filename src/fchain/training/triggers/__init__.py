"""Triggers: when extensions run and when training stops (``fchain.training.triggers``)."""

from __future__ import annotations

from fchain.training.triggers.best_value import BestValueTrigger as BestValueTrigger
from fchain.training.triggers.best_value import MaxValueTrigger as MaxValueTrigger
from fchain.training.triggers.best_value import MinValueTrigger as MinValueTrigger
from fchain.training.triggers.early_stopping import EarlyStoppingTrigger as EarlyStoppingTrigger
from fchain.training.triggers.interval import IntervalTrigger as IntervalTrigger
from fchain.training.triggers.manual_schedule import ManualScheduleTrigger as ManualScheduleTrigger
from fchain.training.triggers.once import OnceTrigger as OnceTrigger
from fchain.training.triggers.time_trigger import TimeTrigger as TimeTrigger
from fchain.training.triggers.util import get_trigger as get_trigger

__all__ = [
    "BestValueTrigger",
    "EarlyStoppingTrigger",
    "IntervalTrigger",
    "ManualScheduleTrigger",
    "MaxValueTrigger",
    "MinValueTrigger",
    "OnceTrigger",
    "TimeTrigger",
    "get_trigger",
]
