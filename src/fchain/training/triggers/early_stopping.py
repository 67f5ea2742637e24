"""EarlyStoppingTrigger: a stop trigger that ends training when a metric stalls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer
from fchain.training.triggers.interval import IntervalTrigger
from fchain.training.triggers.util import get_trigger

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["EarlyStoppingTrigger"]


class EarlyStoppingTrigger:
    """Fires (stops training) when ``monitor`` has not improved for ``patience``
    checks, or when ``max_trigger`` is reached.

    ``mode`` is ``'min'``, ``'max'`` or ``'auto'`` (max for keys containing
    "accuracy", else min), as in Chainer.  ``patience`` defaults to 3; Chainer's old
    misspelling ``patients`` is accepted (with a ``DeprecationWarning``), but not
    together with ``patience``.
    """

    best: float
    count: int
    already_warning: bool

    def __init__(self, check_trigger: TriggerLike = (1, "epoch"), monitor: str = "main/loss",
                 patience: int | None = None, mode: str = "auto", verbose: bool = False,
                 max_trigger: tuple[int | float, str] = (100, "epoch"), *,
                 patients: int | None = None) -> None:
        from fchain.facade.reporter import DictSummary

        if patients is not None:
            if patience is not None:
                raise TypeError("EarlyStoppingTrigger: give patience or its old alias patients, "
                                "not both")
            import warnings

            warnings.warn("EarlyStoppingTrigger: 'patients' is deprecated; use 'patience'",
                          DeprecationWarning, stacklevel=2)
            patience = patients
        if patience is None:
            patience = 3
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStoppingTrigger: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.count = 0
        self.already_warning = False
        self._max_trigger = IntervalTrigger(*max_trigger)
        self._interval_trigger = get_trigger(check_trigger)
        self._summary = DictSummary()
        if mode == "auto":
            mode = "max" if "accuracy" in monitor else "min"
        self._maximize = mode == "max"
        self.best = float("-inf") if self._maximize else float("inf")

    def get_training_length(self) -> tuple[int | float, str]:
        return self._max_trigger.get_training_length()

    def __call__(self, trainer: Trainer) -> bool:
        from fchain.facade.reporter import DictSummary

        observation = trainer.observation
        if self.monitor in observation:
            self._summary.add({self.monitor: observation[self.monitor]})
        if self._max_trigger(trainer):
            return True
        if not self._interval_trigger(trainer):
            return False
        if self.monitor not in observation and not self._summary.compute_mean():
            if not self.already_warning:
                import warnings

                warnings.warn(f"EarlyStoppingTrigger: {self.monitor} is not in the observation", stacklevel=2)
                self.already_warning = True
            return False
        stats = self._summary.compute_mean()
        self._summary = DictSummary()
        if self.monitor not in stats:
            return False
        current = float(stats[self.monitor])
        improved = current > self.best if self._maximize else current < self.best
        if improved:
            self.best = current
            self.count = 0
        else:
            self.count += 1
        if self.count >= self.patience:
            if self.verbose:
                print("Epoch {}: early stopping".format(trainer.updater.epoch))
            return True
        return False

    def serialize(self, serializer: AbstractSerializer) -> None:
        self._max_trigger.serialize(serializer["max_trigger"])
        if isinstance(self._interval_trigger, IntervalTrigger):
            self._interval_trigger.serialize(serializer["interval_trigger"])
        self._summary.serialize(serializer["summary"])
        self.best = float(serializer("best", self.best))
        self.count = int(serializer("count", self.count))
