"""unchain_variables: cut the graphs of reported variables after the extensions ran."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.graph.config import config
from fchain.graph.variable import Variable
from fchain.training.extension import Extension

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["unchain_variables"]


class unchain_variables(Extension):  # noqa: N801 - Chainer's name
    """Calls ``unchain_backward`` on every Variable in the observation, so graphs
    kept while ``config.keep_graph_on_report`` was on (``DumpGraph`` turns it on for
    the first iteration) are freed (Chainer's ``unchain_variables``).

    It runs last (priority 0), at iterations where the flag was on at its previous
    call (or at ``initialize``).
    """

    priority = 0

    def __init__(self) -> None:
        self._prev_flag: bool | None = None
        self.trigger: TriggerLike = self._flag_was_on

    def initialize(self, trainer: Trainer) -> None:
        self._prev_flag = bool(config.keep_graph_on_report)

    def _flag_was_on(self, trainer: Trainer) -> bool:
        flag = self._prev_flag
        self._prev_flag = bool(config.keep_graph_on_report)
        return bool(flag)

    def __call__(self, trainer: Trainer) -> None:
        for value in trainer.observation.values():
            if isinstance(value, Variable):
                value.unchain_backward()
