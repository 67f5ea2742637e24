"""Reporting observed values: ``Reporter``, ``report``, ``report_scope``, summaries.

A ``Reporter`` collects values into its current ``observation`` dict.  Objects
(usually links) are registered under names with ``add_observer``; a value that an
observer reports under key ``k`` is stored as ``'<observer name>/k'``, so a
``Classifier`` registered as ``'main'`` reports ``main/loss`` and
``main/accuracy``.  ``fchain.report(values, observer)`` writes to the current
reporter and does nothing when there is none.

The current reporter is the top of a stack kept in a ``contextvars.ContextVar``:
``with reporter:`` pushes it, each thread (and each asyncio task) has its own
stack, and a new thread starts with an empty one.

``Summary`` accumulates a running mean and standard deviation of scalars;
``DictSummary`` does it per key for whole observations, keeping values on their
device, and serializes in Chainer's layout (``_names`` as a JSON list, then
``_summaries/<i>/{_x,_x2,_n}``).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import warnings
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, TypeAlias, cast

import numpy

from fchain.core import backend
from fchain.graph.config import keep_graph_on_report
from fchain.facade.serializer import AbstractSerializer, Serializer
from fchain.graph.variable import Variable, wrap
from fchain.types import Array

__all__ = [
    "DictSummary",
    "Observation",
    "Reporter",
    "Summary",
    "get_current_reporter",
    "report",
    "report_scope",
]

Observation: TypeAlias = dict[str, object]
"""The values reported in one scope, by (prefixed) name."""

Statistic: TypeAlias = float | Array
"""A summary statistic: a Python or numpy number, or a 0-d array on the values' device."""

_STACK: contextvars.ContextVar[tuple[Reporter, ...]] = contextvars.ContextVar(
    "fchain_reporters", default=())


def _detach(value: object) -> object:
    """A Variable without its graph (sharing the array), so a report does not keep
    the computational graph alive; anything else unchanged."""
    if isinstance(value, Variable):
        copy = Variable(value._data, name=value.name)
        copy.requires_grad = value.requires_grad
        return copy
    return value


class Reporter:
    """Collects reported values into ``observation``, naming them by observer."""

    observation: Observation

    def __init__(self) -> None:
        self._observer_names: dict[int, str] = {}
        self._observers: dict[int, object] = {}  # keeps observers alive while named by id
        self.observation = {}
        self._tokens: list[contextvars.Token[tuple[Reporter, ...]]] = []

    def __enter__(self) -> Reporter:
        """Make this the current reporter until the matching ``__exit__``."""
        self._tokens.append(_STACK.set(_STACK.get() + (self,)))
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        _STACK.reset(self._tokens.pop())

    @contextlib.contextmanager
    def scope(self, observation: Observation) -> Iterator[None]:
        """Within the block, this reporter is current and writes into
        ``observation`` (a dict owned by the caller)."""
        old = self.observation
        self.observation = observation
        self.__enter__()
        try:
            yield
        finally:
            self.__exit__(None, None, None)
            self.observation = old

    def add_observer(self, name: str, observer: object) -> None:
        """Name ``observer``: its reports get the prefix ``name + '/'``."""
        self._observer_names[id(observer)] = name
        self._observers[id(observer)] = observer

    def add_observers(self, prefix: str, observers: Iterable[tuple[str, object]]) -> None:
        """Name each ``(name, observer)`` pair as ``prefix + name``; e.g.
        ``add_observers('main', model.namedlinks(skipself=True))`` gives
        ``main/l1``."""
        for name, observer in observers:
            self.add_observer(prefix + name, observer)

    def report(self, values: Mapping[str, object], observer: object = None) -> None:
        """Store ``values`` in the current observation, as ``'<observer name>/<key>'``
        when ``observer`` is given (it must have been added), else as they are.

        Unless ``config.keep_graph_on_report``, reported Variables are stored
        without their computational graph.
        """
        if not keep_graph_on_report():
            values = {k: _detach(v) for k, v in values.items()}
        if observer is not None:
            prefix = self._observer_names.get(id(observer))
            if prefix is None:
                raise KeyError(
                    f"Reporter.report: the observer ({type(observer).__name__}) is not registered "
                    "with this reporter; call add_observer(name, observer) first")
            observation = self.observation
            prefix += "/"
            for k, v in values.items():
                observation[prefix + k] = v
        else:
            self.observation.update(values)


def get_current_reporter() -> Reporter:
    """The innermost active reporter (raises ``RuntimeError`` when none is active)."""
    stack = _STACK.get()
    if not stack:
        raise RuntimeError("get_current_reporter: no reporter is active; use 'with reporter:' first")
    return stack[-1]


def report(values: Mapping[str, object], observer: object = None) -> None:
    """Report ``values`` to the current reporter (a no-op when there is none).

    ``report({'loss': loss}, self)`` inside a link registered as ``'main'`` stores
    ``main/loss``.
    """
    stack = _STACK.get()
    if stack:
        stack[-1].report(values, observer)


@contextlib.contextmanager
def report_scope(observation: Observation) -> Iterator[None]:
    """Redirect the current reporter into ``observation`` within the block."""
    with get_current_reporter().scope(observation):
        yield


# ------------------------------------------------------------------ summaries
def _as_statistic(value: object, what: str) -> Statistic:
    if isinstance(value, Variable):
        value = value.array
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value  # an int weight keeps ``_n`` an int, as Chainer writes it
    if isinstance(value, numpy.generic):
        return cast(Statistic, value)
    if isinstance(value, numpy.ndarray) or backend.is_cupy_array(value):
        return cast(Array, value)
    raise TypeError(f"Summary.add: {what} must be a number, an array or a Variable, got {type(value).__name__}")


def _sqrt(value: Statistic) -> Statistic:
    if backend.is_cupy_array(value):
        return backend.namespace_of(cast(Array, value)).sqrt(cast(Array, value))
    if isinstance(value, float):
        return math.sqrt(value) if value >= 0 else math.nan
    return cast(Statistic, numpy.sqrt(value))


class Summary:
    """Running sums of a scalar series: ``compute_mean()`` and ``make_statistics()``
    (mean, standard deviation).  Values may be Python numbers, 0-d arrays (kept on
    their device) or Variables; ``weight`` scales a value's contribution."""

    def __init__(self) -> None:
        self._x: Statistic = 0.0
        self._x2: Statistic = 0.0
        self._n: Statistic = 0

    def add(self, value: float | Array | Variable, weight: float | Array | Variable = 1) -> None:
        """Accumulate ``weight * value``."""
        if type(weight) is int and weight == 1:
            # The common case, a real number of weight 1 (LogReport adds every reported
            # loss each iteration): the same sums without multiplying by 1 (exact for
            # real numbers) and with a 0-d array read as its numpy scalar (the same
            # value and dtype that arithmetic on the array gives, computed faster).
            x = value.array if isinstance(value, Variable) else value
            if type(x) is numpy.ndarray and x.ndim == 0 and x.dtype.kind == "f":
                x = x[()]
            if type(x) is float or type(x) is int or isinstance(x, numpy.floating):
                self._x = self._x + x
                self._x2 = self._x2 + x * x
                self._n = self._n + 1
                return
        v = _as_statistic(value, "value")
        w = _as_statistic(weight, "weight")
        self._x = self._x + w * v
        self._x2 = self._x2 + w * v * v
        self._n = self._n + w

    def compute_mean(self) -> Statistic:
        """The weighted mean of the values added so far."""
        return self._x / self._n

    def make_statistics(self) -> tuple[Statistic, Statistic]:
        """``(mean, std)`` of the values added so far."""
        mean = self._x / self._n
        var = self._x2 / self._n - mean * mean
        return mean, _sqrt(var)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Save or load ``_x``, ``_x2`` and ``_n``."""
        try:
            self._x = serializer("_x", self._x)
            self._x2 = serializer("_x2", self._x2)
            self._n = serializer("_n", self._n)
        except KeyError:
            warnings.warn("The previous statistics are not saved.", stacklevel=2)


class DictSummary:
    """A ``Summary`` per key of the observations added (scalars only; other values
    are skipped).  A value may be a ``(value, weight)`` pair."""

    def __init__(self) -> None:
        self._summaries: dict[str, Summary] = {}

    def add(self, d: Mapping[str, object]) -> None:
        """Accumulate every scalar (number, 0-d array, or 0-d Variable) of ``d``."""
        summaries = self._summaries
        for key, value in d.items():
            if type(value) is Variable:
                value = value._data
            if type(value) is numpy.ndarray and value.ndim == 0 and value.dtype.kind == "f":
                # A reported loss or accuracy (LogReport adds them every iteration):
                # ``Summary.add(value)`` inlined, the same sums in the same order.
                summary = summaries.get(key)
                if summary is None:
                    summary = summaries[key] = Summary()
                x = value[()]
                summary._x = summary._x + x
                summary._x2 = summary._x2 + x * x
                summary._n = summary._n + 1
                continue
            weight: object = 1
            if isinstance(value, tuple):
                if len(value) != 2:
                    raise ValueError(f"DictSummary.add: {key!r} must be a value or a (value, weight) pair")
                value, weight = value
                if isinstance(weight, Variable):
                    weight = weight.array
                if not _is_scalar(weight):
                    raise ValueError(f"DictSummary.add: the weight given to {key!r} is not a scalar")
            if isinstance(value, Variable):
                value = value.array
            if (type(value) is numpy.ndarray and value.ndim == 0) or _is_scalar(value):
                summary = self._summaries.get(key)
                if summary is None:
                    summary = self._summaries[key] = Summary()
                summary.add(cast(Any, value), weight=cast(Any, weight))

    def compute_mean(self) -> dict[str, Statistic]:
        """The mean of every key."""
        return {name: summary.compute_mean() for name, summary in self._summaries.items()}

    def make_statistics(self) -> dict[str, Statistic]:
        """The mean of every key, and its standard deviation under ``'<key>.std'``."""
        stats: dict[str, Statistic] = {}
        for name, summary in self._summaries.items():
            mean, std = summary.make_statistics()
            stats[name] = mean
            stats[name + ".std"] = std
        return stats

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Save or load the summaries as Chainer does: ``_names`` (a JSON list of the
        keys) and ``_summaries/<index>/...``."""
        if isinstance(serializer, Serializer):
            names = list(self._summaries)
            serializer("_names", json.dumps(names))
            for index, name in enumerate(names):
                self._summaries[name].serialize(serializer["_summaries"][str(index)])
        else:
            try:
                stored = serializer("_names", None)
            except KeyError:
                warnings.warn("The names of statistics are not saved.", stacklevel=2)
                return
            if stored is None:
                # fchain's loaders answer None in their checking pass (the names are not
                # known yet; the summaries' keys below are then accepted unseen): keep
                # the current summaries until the real pass.
                return
            text = stored if isinstance(stored, str) else str(numpy.asarray(stored).item())
            names = json.loads(text) if text.strip() else []
            summaries: dict[str, Summary] = {}
            for index, name in enumerate(names):
                summary = summaries[name] = Summary()
                summary.serialize(serializer["_summaries"][str(index)])
            self._summaries = summaries


def _is_scalar(value: object) -> bool:
    if isinstance(value, (int, float, numpy.number, numpy.bool_)):
        return True
    return bool(getattr(value, "ndim", -1) == 0) and (
        isinstance(value, numpy.ndarray) or backend.is_cupy_array(value))
