"""MicroAverage: the ratio of summed numerators to summed denominators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer, Serializer
from fchain.training.extension import PRIORITY_EDITOR, Extension
from fchain.training.extensions._fchain_state import serialize_extra
from fchain.training.triggers.util import get_trigger

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["MicroAverage"]


def _number(value: object) -> int | float:
    """A Python int or float from a number, a 0-d array or a Variable."""
    array = getattr(value, "array", value)
    if isinstance(array, (int, float)):
        return array
    item = getattr(array, "item", None)
    if item is None:
        raise TypeError(f"MicroAverage: observed values must be numbers, arrays or Variables, "
                        f"got {type(value).__name__}")
    result = item()
    if not isinstance(result, (int, float)):
        raise TypeError(f"MicroAverage: observed values must be scalars, got {result!r}")
    return result


class MicroAverage(Extension):
    """Reports ``sum(n_i) / sum(d_i)`` as ``result_key``, where ``n_i`` and ``d_i``
    are the values observed as ``numerator_key`` and ``denominator_key`` at each
    iteration since the last report (Chainer's ``MicroAverage``).

    With ``'main/correct'`` (the number of right answers in a batch) and
    ``'main/total'`` (the batch size), the result is the accuracy over all examples
    even when batches differ in size, where averaging per-batch accuracies would
    weight small batches too much.  ``trigger`` decides when to report and reset
    the sums (each epoch by default); the extension itself runs every iteration,
    after the observers (``PRIORITY_EDITOR``), and skips iterations that did not
    observe both keys.
    """

    priority = PRIORITY_EDITOR

    def __init__(self, numerator_key: str, denominator_key: str, result_key: str,
                 trigger: TriggerLike = (1, "epoch")) -> None:
        self._trigger = get_trigger(trigger)
        self._numerator_key = numerator_key
        self._denominator_key = denominator_key
        self._result_key = result_key
        self._numerator: int | float = 0
        self._denominator: int | float = 0

    def __call__(self, trainer: Trainer) -> None:
        from fchain.facade.reporter import report

        observation = trainer.observation
        if self._numerator_key not in observation or self._denominator_key not in observation:
            return
        self._numerator += _number(observation[self._numerator_key])
        self._denominator += _number(observation[self._denominator_key])
        if self._trigger(trainer):
            result = float(self._numerator) / self._denominator
            self._numerator = 0
            self._denominator = 0
            report({self._result_key: result})

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys ``_numerator`` and ``_denominator``, plus the trigger under
        ``__fchain__/_trigger``."""
        serialize_extra(serializer, "_trigger", self._trigger)
        if isinstance(serializer, Serializer):
            serializer("_numerator", self._numerator)
            serializer("_denominator", self._denominator)
            return
        for key in ("_numerator", "_denominator"):
            raw = serializer(key, None)
            item = getattr(raw, "item", None)
            loaded = item() if item is not None else raw
            if loaded is None:
                continue
            if not isinstance(loaded, (int, float)):
                raise TypeError(f"MicroAverage: {key} in the snapshot is not a number: {loaded!r}")
            setattr(self, key, loaded)
