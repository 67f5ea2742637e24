"""observe_value and observe_lr: put a value into the observation each epoch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fchain.training.extension import PRIORITY_WRITER, make_extension

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["observe_lr", "observe_value"]


def observe_value(observation_key: str, target_func: Callable[[Trainer], object]) -> Callable[[Trainer], None]:
    """An extension that stores ``target_func(trainer)`` as
    ``trainer.observation[observation_key]`` (so ``LogReport`` logs it).

    It runs once per epoch by default; pass ``trigger=`` to ``Trainer.extend`` to
    change that.  As in Chainer, its default name is ``_observe_value``.
    """

    @make_extension(trigger=(1, "epoch"), priority=PRIORITY_WRITER)
    def _observe_value(trainer: Trainer) -> None:
        trainer.observation[observation_key] = target_func(trainer)

    return _observe_value


def observe_lr(optimizer_name: str = "main", observation_key: str = "lr") -> Callable[[Trainer], None]:
    """An extension that records the learning rate (``optimizer.lr``) of the
    updater's optimizer ``optimizer_name`` as ``observation_key``, once per epoch."""

    def learning_rate(trainer: Trainer) -> object:
        optimizer: object = trainer.updater.get_optimizer(optimizer_name)
        return getattr(optimizer, "lr")

    return observe_value(observation_key, learning_rate)
