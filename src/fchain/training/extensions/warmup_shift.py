"""WarmupShift: raise an optimizer hyperparameter evenly during the first calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.training.extensions._shift import ShiftBase

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["WarmupShift"]


class WarmupShift(ShiftBase):
    """With ``warmup_start = x``, ``init = y`` and ``warmup_iter = n``, sets the
    attribute to ``x`` before training and to ``(t * y + (n - t) * x) / n`` at call
    ``t <= n``; after ``n`` calls it is left alone at ``y`` (Chainer's
    ``WarmupShift``).

    ``init=None`` (fchain's default; Chainer requires it) takes the attribute's value
    when training starts, i.e. the optimizer's configured value is the one reached
    after warm-up.  ``warmup_start=None`` keeps the attribute's value as the start.
    Like Chainer only ``_t`` is serialized; on resume the value for ``_t`` is set
    again, so a resumed run continues exactly where it stopped.
    """

    _serialize_last_value = False
    _fchain_extras: tuple[str, ...] = ("_init", "_warmup_start")

    def __init__(self, attr: str, warmup_start: float | None, warmup_iter: int,
                 init: float | None = None, optimizer: object | None = None) -> None:
        super().__init__(attr, optimizer)
        if warmup_iter <= 0:
            raise ValueError(f"WarmupShift: warmup_iter must be positive, got {warmup_iter}")
        self._warmup_start = warmup_start
        self._warmup_iter = warmup_iter
        self._init = init

    def _value(self, t: int, start: float, end: float) -> float:
        return (t * end + (self._warmup_iter - t) * start) / self._warmup_iter

    def initialize(self, trainer: Trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = self._read(optimizer)
        if self._warmup_start is None:
            self._warmup_start = self._read(optimizer)
        if self._t == 0:
            value = self._warmup_start
        else:  # resuming: the value the last call set
            value = self._value(min(self._t, self._warmup_iter), self._warmup_start, self._init)
        self._update_value(optimizer, value)

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        if self._t > self._warmup_iter:
            return
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = self._read(optimizer)
        if self._warmup_start is None:
            self._warmup_start = self._read(optimizer)
        self._update_value(optimizer, self._value(self._t, self._warmup_start, self._init))
