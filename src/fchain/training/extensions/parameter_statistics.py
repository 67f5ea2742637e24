"""ParameterStatistics: report statistics of parameters and gradients."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Protocol, cast

import numpy

from fchain.facade.serializer import AbstractSerializer
from fchain.training.extension import PRIORITY_WRITER, Extension
from fchain.training.extensions._fchain_state import serialize_extra
from fchain.training.extensions._arrays import array_module
from fchain.training.triggers.util import get_trigger
from fchain.types import Array

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["ParameterStatistics"]

Statistic = Callable[[Array], object]
"""Takes a parameter's (or gradient's) elements as a 1-d array and returns one
number or an array of numbers."""

_PERCENTILES = (0.13, 2.28, 15.87, 50.0, 84.13, 97.72, 99.87)


def _mean(x: Array) -> object:
    return array_module(x).mean(x)


def _std(x: Array) -> object:
    return array_module(x).std(x)


def _min(x: Array) -> object:
    return array_module(x).min(x)


def _max(x: Array) -> object:
    return array_module(x).max(x)


def _zeros(x: Array) -> object:
    return array_module(x).count_nonzero(x == 0)


def _percentile(x: Array) -> object:
    return array_module(x).percentile(x, _PERCENTILES)


class _ParamLike(Protocol):
    @property
    def array(self) -> Array | None: ...

    @property
    def grad(self) -> Array | None: ...


class _HasParams(Protocol):
    def namedparams(self) -> Iterable[tuple[str, _ParamLike]]: ...


class ParameterStatistics(Extension):
    """Reports, for each parameter of ``links`` (a link or several), statistics of
    its values (``report_params``) and gradients (``report_grads``) under Chainer's
    keys ``{prefix/}{link name}{/param path}/{data|grad}/{statistic}``, e.g.
    ``predictor/l1/W/data/mean``; a statistic returning several numbers (the
    default ``percentile``, seven of them: the mean ± 1, 2, 3 sigma points of a
    normal distribution) gets ``/0``, ``/1``, ... appended.

    A link's name is its ``name`` attribute, which is ``None`` for a root link (the
    key then starts with ``None``, as in Chainer).  ``statistics`` maps names to
    functions of a 1-d array; the default has ``mean``, ``std``, ``min``, ``max``,
    ``zeros`` (the count of zeros) and ``percentile``.  Values are accumulated every
    iteration and their means reported when ``trigger`` fires (each epoch by
    default).  With ``skip_nan_params``, an array holding a NaN reports NaN for every
    statistic instead of computing them.  Gradients not yet computed are skipped.
    """

    default_name = "parameter_statistics"
    priority = PRIORITY_WRITER
    report_key_template = "{prefix}{link_name}{param_name}/{attr_name}/{function_name}"

    default_statistics: Mapping[str, Statistic] = {
        "mean": _mean,
        "std": _std,
        "min": _min,
        "max": _max,
        "zeros": _zeros,
        "percentile": _percentile,
    }

    def __init__(self, links: _HasParams | Iterable[_HasParams],
                 statistics: Mapping[str, Statistic] | None = default_statistics,
                 report_params: bool = True, report_grads: bool = True, prefix: str | None = None,
                 trigger: TriggerLike = (1, "epoch"), skip_nan_params: bool = False) -> None:
        from fchain.facade.reporter import DictSummary

        # As in Chainer, a list or tuple holds several links; anything else is one.
        self._links: list[_HasParams] = list(links) if isinstance(links, (list, tuple)) else [
            cast(_HasParams, links)]
        for link in self._links:
            if not hasattr(link, "namedparams"):
                raise TypeError(f"ParameterStatistics: links must be links (with namedparams()), "
                                f"got {type(link).__name__}")
        self._statistics: dict[str, Statistic] = dict(statistics) if statistics is not None else {}
        self._attrs = [name for name, on in (("data", report_params), ("grad", report_grads)) if on]
        self._prefix = prefix
        self._trigger = get_trigger(trigger)
        self._summary = DictSummary()
        self._skip_nan_params = skip_nan_params

    def serialize(self, serializer: AbstractSerializer) -> None:
        """No Chainer keys (Chainer saves nothing); the trigger under
        ``__fchain__/_trigger``."""
        serialize_extra(serializer, "_trigger", self._trigger)

    def register_statistics(self, name: str, function: Statistic) -> None:
        """Add a statistic ``function(1-d array) -> number(s)`` reported as ``name``."""
        self._statistics[name] = function

    def __call__(self, trainer: Trainer) -> None:
        from fchain.facade.reporter import DictSummary, report

        statistics: dict[str, object] = {}
        prefix = self._prefix + "/" if self._prefix else ""
        for link in self._links:
            link_name = getattr(link, "name", None)
            for param_name, param in link.namedparams():
                for attr_name in self._attrs:
                    array = param.array if attr_name == "data" else param.grad
                    if array is None:
                        continue
                    flat = array.ravel()
                    has_nan = self._skip_nan_params and bool(array_module(flat).isnan(flat).any())
                    for function_name, function in self._statistics.items():
                        value = numpy.nan if has_nan else function(flat)
                        key = self.report_key_template.format(
                            prefix=prefix, link_name=link_name, param_name=param_name,
                            attr_name=attr_name, function_name=function_name)
                        size = getattr(value, "size", 1)
                        if size > 1:
                            for i, v in enumerate(cast(Iterable[object], value)):
                                statistics[f"{key}/{i}"] = v
                        else:
                            statistics[key] = value
        self._summary.add(statistics)
        if self._trigger(trainer):
            report(self._summary.compute_mean())
            self._summary = DictSummary()
