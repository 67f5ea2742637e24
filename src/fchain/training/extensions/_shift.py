"""What the hyperparameter schedules (``ExponentialShift`` and friends) share.

Each schedule counts its calls in ``_t`` and sets one optimizer attribute
(``lr``, ``alpha``, ``momentum``, ...) per call.  An optimizer's hyperparameters are
not part of a snapshot, so a schedule that remembers the last value it set
(``_last_value``) restores it in ``initialize`` when training resumes, as Chainer's
do.  The serialized keys are Chainer's, per class, so snapshots move both ways
between the two libraries.

One fchain addition: a starting value the schedule read from the optimizer
(``init=None``) is also saved, under ``__fchain__/init`` (``__fchain__`` keys are
ignored by Chainer).  fchain's optimizers restore their hyperparameters from a
snapshot, so on resume the optimizer holds the last value set, not the value
training started from; the saved one keeps ``init * rate ** t`` anchored.  A
snapshot without it (one Chainer wrote) reads the optimizer as Chainer does.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy

from fchain.facade.serializer import AbstractSerializer, Serializer
from fchain.training.extension import Extension

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["FormulaShift", "ShiftBase", "load_optional_number", "ratio_to_value", "stop_at_target"]


def load_optional_number(raw: object) -> float | None:
    """A number read back from a deserializer (a 0-d array, a scalar or ``None``)."""
    if raw is None:
        return None
    if isinstance(raw, numpy.ndarray):
        if raw.dtype.hasobject:
            item = raw.item()
            return None if item is None else float(item)
        return float(raw.item())
    item_method = getattr(raw, "item", None)
    if item_method is not None:  # a numpy scalar or a CuPy 0-d array
        return float(item_method())
    if isinstance(raw, (int, float)):
        return float(raw)
    raise TypeError(f"expected a number, got {type(raw).__name__}")


def stop_at_target(value: float, target: float | None, increasing: bool) -> float:
    """``value``, or ``target`` once a schedule moving up (``increasing``) or down
    has passed it.  As in Chainer the test is on the ratio ``value / target``, so it
    also works for negative values; a zero ``target`` is never passed this way."""
    if target is None or target == 0:
        return value
    ratio = value / target
    if increasing:
        return target if ratio > 1 else value
    return target if ratio < 1 else value


def ratio_to_value(target: float, value: float, init: float) -> float:
    """``target / value``, with the limit (an infinity signed by ``target`` and the
    side ``value`` approached zero from) when ``value`` is zero."""
    if value != 0:
        return target / value
    if target == 0:
        return 1.0
    return math.copysign(math.inf, target) * (1.0 if init >= 0 else -1.0)


class ShiftBase(Extension):
    """Optimizer lookup, value setting and Chainer's ``_t`` / ``_last_value`` state."""

    _serialize_last_value = True
    _fchain_extras: tuple[str, ...] = ("_init",)
    """Attributes resolved from the optimizer when ``None``, saved under
    ``__fchain__/<name without the underscore>``."""

    def __init__(self, attr: str, optimizer: object | None) -> None:
        if not isinstance(attr, str):
            raise TypeError(f"{type(self).__name__}: attr must be a str (the hyperparameter's name), "
                            f"got {type(attr).__name__}")
        self._attr = attr
        self._optimizer = optimizer
        self._t = 0
        self._last_value: float | None = None

    def _get_optimizer(self, trainer: Trainer) -> object:
        if self._optimizer is not None:
            return self._optimizer
        optimizer: object = trainer.updater.get_optimizer("main")
        return optimizer

    def _read(self, optimizer: object) -> float:
        try:
            value = getattr(optimizer, self._attr)
        except AttributeError:
            raise AttributeError(
                f"{type(self).__name__}: the optimizer {type(optimizer).__name__} has no "
                f"hyperparameter {self._attr!r}") from None
        if not isinstance(value, (int, float, numpy.number)):
            raise TypeError(f"{type(self).__name__}: the optimizer's {self._attr!r} is "
                            f"{type(value).__name__}, not a number")
        return float(value)

    def _update_value(self, optimizer: object, value: float) -> None:
        setattr(optimizer, self._attr, value)
        self._last_value = value

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys: ``_t`` and (for most schedules) ``_last_value``."""
        self._t = int(serializer("_t", self._t))
        saving = isinstance(serializer, Serializer)
        if self._serialize_last_value:
            if saving:
                serializer("_last_value", self._last_value)
            else:
                self._last_value = load_optional_number(serializer("_last_value", None))
        for name in self._fchain_extras:
            current = getattr(self, name)
            key = name.lstrip("_")
            if saving:
                if current is not None:
                    serializer["__fchain__"](key, current)
            elif current is None:
                try:
                    stored = serializer["__fchain__"](key, None)
                except KeyError:  # not in the file (Chainer wrote it): keep None
                    continue
                setattr(self, name, load_optional_number(stored))


class FormulaShift(ShiftBase):
    """A schedule whose value at the ``t``-th call is a formula of ``t`` and the
    starting value ``init`` (``ExponentialShift``, ``StepShift``, ``InverseShift``,
    ``PolynomialShift``): subclasses implement ``_value(init)``, reading ``self._t``
    and applying ``self._target`` as their rule says.

    ``init`` is read from the optimizer when ``None``; ``initialize`` sets the
    attribute to it, or, on resume, to the last value set before the snapshot.
    """

    def __init__(self, attr: str, init: float | None, target: float | None,
                 optimizer: object | None) -> None:
        super().__init__(attr, optimizer)
        self._init = init
        self._target = target

    def _value(self, init: float) -> float:
        """The value at call ``self._t``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _value")

    def _resolved_init(self, optimizer: object) -> float:
        if self._init is None:
            self._init = self._read(optimizer)
        return self._init

    def initialize(self, trainer: Trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        init = self._resolved_init(optimizer)
        self._update_value(optimizer, init if self._last_value is None else self._last_value)

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        optimizer = self._get_optimizer(trainer)
        self._update_value(optimizer, self._value(self._resolved_init(optimizer)))
