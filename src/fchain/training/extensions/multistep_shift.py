"""MultistepShift: multiply an optimizer hyperparameter by ``gamma`` at given calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer
from fchain.training.extensions._shift import ShiftBase

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["MultistepShift"]


class MultistepShift(ShiftBase):
    """With ``init = x``, ``gamma = y`` and ``step_value = (s1, s2, s3)``, the
    attribute is ``x`` until call ``s1``, ``x * y`` from call ``s1``, ``x * y * y``
    from ``s2`` and ``x * y ** 3`` from ``s3`` on (Chainer's ``MultistepShift``).
    A call passes at most one step, as in Chainer.

    ``init=None`` takes the attribute's value when training starts.  Like Chainer
    only ``_t`` is serialized; the step reached and the value are recomputed from
    it on resume, so a resumed run continues exactly where it stopped.
    """

    _serialize_last_value = False

    def __init__(self, attr: str, gamma: float, step_value: Sequence[int], init: float | None,
                 optimizer: object | None = None) -> None:
        super().__init__(attr, optimizer)
        self._gamma = gamma
        self._step_value = tuple(step_value)
        self._init = init
        self._current_step = 0

    def _steps_after(self, t: int) -> int:
        """How many steps ``t`` calls pass (each call passes at most one)."""
        passed = 0
        call = 0
        for first in self._step_value:
            call = max(first, call + 1)
            if call > t:
                break
            passed += 1
        return passed

    def initialize(self, trainer: Trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = self._read(optimizer)
        self._current_step = self._steps_after(self._t)
        self._update_value(optimizer, self._init * self._gamma ** self._current_step)

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = self._read(optimizer)
        if (self._current_step < len(self._step_value)
                and self._t >= self._step_value[self._current_step]):
            self._current_step += 1
        self._update_value(optimizer, self._init * self._gamma ** self._current_step)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's key: ``_t``."""
        super().serialize(serializer)
        self._current_step = self._steps_after(self._t)
