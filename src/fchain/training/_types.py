"""Protocols the training loop talks to, so its modules do not import one another."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from fchain.facade.serializer import AbstractSerializer

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["Trigger", "TriggerLike"]


class Trigger(Protocol):
    """A callable that decides, once per iteration, whether something should happen."""

    def __call__(self, trainer: Trainer) -> bool: ...


class SerializableTrigger(Trigger, Protocol):
    def serialize(self, serializer: AbstractSerializer) -> None: ...


TriggerLike = Trigger | tuple[int | float, str] | None
"""What ``Trainer.extend`` and the extensions accept: a trigger, Chainer's
``(period, 'epoch' | 'iteration')`` shorthand, or ``None`` (the default)."""
