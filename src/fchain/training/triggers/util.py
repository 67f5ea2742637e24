"""``get_trigger``: Chainer's ``(period, unit)`` shorthand to a trigger object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.training.triggers.interval import IntervalTrigger

if TYPE_CHECKING:
    from fchain.training._types import Trigger, TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["get_trigger"]


def _never(trainer: Trainer) -> bool:
    return False


def get_trigger(trigger: TriggerLike) -> Trigger:
    """A trigger from a trigger, a ``(period, 'epoch'|'iteration')`` tuple, or ``None``
    (a trigger that never fires)."""
    if trigger is None:
        return _never
    if isinstance(trigger, tuple):
        if len(trigger) != 2 or not isinstance(trigger[1], str):
            raise ValueError(f"get_trigger: expected (period, 'epoch'|'iteration'), got {trigger!r}")
        return IntervalTrigger(trigger[0], trigger[1])
    if not callable(trigger):
        raise TypeError(f"get_trigger: a trigger must be callable or a (period, unit) tuple, got {trigger!r}")
    return trigger
