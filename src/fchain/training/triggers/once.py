"""OnceTrigger: fire once, at the first check (or before training)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["OnceTrigger"]


class OnceTrigger:
    """Fires the first time it is called, never again (also after a resume)."""

    def __init__(self, call_on_resume: bool = False) -> None:
        self._flag_first = True
        self._flag_resumed = call_on_resume

    @property
    def finished(self) -> bool:
        return not (self._flag_first or self._flag_resumed)

    def __call__(self, trainer: Trainer) -> bool:
        fire = self._flag_first or self._flag_resumed
        self._flag_first = False
        self._flag_resumed = False
        return fire

    def serialize(self, serializer: AbstractSerializer) -> None:
        self._flag_first = bool(serializer("_flag_first", self._flag_first))
