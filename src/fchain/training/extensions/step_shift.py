"""StepShift: multiply an optimizer hyperparameter by ``gamma`` every ``step`` calls."""

from __future__ import annotations

from fchain.training.extensions._shift import FormulaShift, stop_at_target

__all__ = ["StepShift"]


class StepShift(FormulaShift):
    """Sets ``optimizer.<attr>`` to ``init * gamma ** floor(t / step)`` at the
    ``t``-th call (Chainer's ``StepShift``).

    ``init`` defaults to the attribute's value when training starts; once the value
    passes ``target`` it stays there; ``optimizer`` defaults to the ``main`` one.
    ``initialize`` sets the attribute to ``init`` (or, on resume, to the last value).
    """

    def __init__(self, attr: str, gamma: float, step: int, init: float | None = None,
                 target: float | None = None, optimizer: object | None = None) -> None:
        super().__init__(attr, init, target, optimizer)
        if step <= 0:
            raise ValueError(f"StepShift: step must be positive, got {step}")
        self._gamma = gamma
        self._step = step

    def _value(self, init: float) -> float:
        value = init * self._gamma ** float(self._t // self._step)
        return stop_at_target(value, self._target, self._gamma > 1)
