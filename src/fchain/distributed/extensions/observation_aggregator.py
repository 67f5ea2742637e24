"""``ObservationAggregator``: a reported value combined over the ranks (by default
its mean over every value every rank reported since the last communication)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.graph.variable import Variable
from fchain.training.extension import PRIORITY_EDITOR, Extension
from fchain.training.triggers.util import get_trigger

if TYPE_CHECKING:
    from fchain.training._types import Trigger, TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["ObservationAggregator"]


def _average_2d(values: list[list[Any]]) -> Any:
    flat = [v for per_rank in values for v in per_rank]
    return sum(flat) / len(flat)


def _host(value: Any) -> Any:
    if isinstance(value, Variable):
        value = value.array
    to_numpy = getattr(value, "get", None)
    if callable(to_numpy) and type(value).__module__.startswith("cupy"):
        return to_numpy()
    return value


class ObservationAggregator(Extension):
    """Each iteration, remember ``trainer.observation[original_key]``; when
    ``comm_trigger`` fires, gather every rank's values on rank 0, combine them with
    ``aggregator`` (a function of one list of values per rank; default: the mean of
    all of them), broadcast the result and report it as ``aggregated_key``."""

    trigger: TriggerLike = (1, "iteration")
    priority = PRIORITY_EDITOR

    def __init__(self, comm: CommunicatorBase, original_key: str, aggregated_key: str | None = None,
                 *, comm_trigger: TriggerLike = (1, "iteration"),
                 aggregator: Callable[[list[list[object]]], object] | None = None) -> None:
        self.comm = comm
        self.original_key = original_key
        self.aggregated_key: str = original_key if aggregated_key is None else aggregated_key
        self.comm_trigger: Trigger = get_trigger(comm_trigger)
        self.observation_history: list[object] = []
        self.aggregator: Callable[[list[list[object]]], object] = aggregator or _average_2d

    @property
    def default_name(self) -> str:
        return f"ObservationAggregator({self.original_key})"

    def compute_summary(self, trainer: Trainer) -> object:
        """The aggregated value when ``comm_trigger`` fires, else ``None``."""
        if self.original_key in trainer.observation:
            self.observation_history.append(_host(trainer.observation[self.original_key]))
        if not self.comm_trigger(trainer):
            return None
        gathered = self.comm.gather_obj(self.observation_history, root=0)
        self.observation_history = []
        summary = self.aggregator(gathered) if gathered is not None else None
        return self.comm.bcast_obj(summary, root=0)

    def __call__(self, trainer: Trainer) -> None:
        summary = self.compute_summary(trainer)
        if summary is not None:
            trainer.observation[self.aggregated_key] = summary
