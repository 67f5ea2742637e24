"""``MultiNodeEarlyStoppingTrigger``: early stopping decided on the mean over ranks,
so every rank stops at the same iteration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.distributed.extensions.observation_aggregator import ObservationAggregator
from fchain.training.triggers.early_stopping import EarlyStoppingTrigger

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["MultiNodeEarlyStoppingTrigger"]


class MultiNodeEarlyStoppingTrigger:
    """``EarlyStoppingTrigger`` on ``monitor + suffix``: the mean of ``monitor``
    over every rank's values since the last check (an ``ObservationAggregator`` the
    trigger runs itself)."""

    def __init__(self, comm: CommunicatorBase, *, check_trigger: TriggerLike = (1, "epoch"),
                 monitor: str = "main/loss", patience: int | None = None, mode: str = "auto",
                 verbose: bool = False, max_trigger: tuple[int | float, str] = (100, "epoch"),
                 suffix: str = "_aggregated", patients: int | None = None) -> None:
        aggregated = monitor + suffix
        self.actual_trigger: EarlyStoppingTrigger = EarlyStoppingTrigger(
            check_trigger=check_trigger, monitor=aggregated, patience=patience, mode=mode,
            verbose=verbose, max_trigger=max_trigger, patients=patients)
        self.aggregator: ObservationAggregator = ObservationAggregator(comm, monitor, aggregated_key=aggregated,
                                                comm_trigger=check_trigger)

    def __call__(self, trainer: Trainer) -> bool:
        self.aggregator(trainer)
        return bool(self.actual_trigger(trainer))

    def get_training_length(self) -> tuple[int | float, str]:
        return self.actual_trigger.get_training_length()
