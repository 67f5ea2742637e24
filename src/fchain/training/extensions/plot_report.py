"""PlotReport: plot observed values against epoch or iteration (needs matplotlib).

matplotlib is optional (``pip install fchain[plot]``).  Without it the extension
warns once when made and then does nothing, so scripts run unchanged; check
``PlotReport.available()`` to know.  Figures are drawn with matplotlib's
object-oriented API (no ``pyplot`` global state, no display needed) and written to
a temporary file that is then renamed, so a reader never sees half a PNG.
"""

from __future__ import annotations

import importlib
import json
import os
import warnings
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer, Serializer
from fchain.serializers._atomic import atomic_write
from fchain.training.extension import Extension
from fchain.training.extensions._fchain_state import serialize_extra
from fchain.training.extensions._arrays import to_float
from fchain.training.triggers.util import get_trigger

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["PlotReport"]

_figure_module: ModuleType | None = None
_available: bool | None = None

_MISSING = ("matplotlib is not installed on your environment, so nothing will be plotted at this "
            "time. Please install matplotlib to plot figures.\n\n  $ pip install fchain[plot]\n")


def _check_available() -> bool:
    global _available, _figure_module
    if _available is None:
        try:
            _figure_module = importlib.import_module("matplotlib.figure")
            _available = True
        except (ImportError, TypeError):
            _available = False
    if not _available:
        warnings.warn(_MISSING, stacklevel=3)
    return _available


class PlotReport(Extension):
    """Accumulates the values observed under ``y_keys`` every iteration; when
    ``trigger`` fires (each epoch by default) appends their means, against
    ``x_key`` (``'iteration'`` or ``'epoch'``), to the plotted series and redraws
    ``<out>/<filename>`` (Chainer's ``PlotReport``).  A call before training
    (``call_before_training=True``) plots a point for iteration 0 too, as Chainer.

    ``y_keys`` is a key or a list of keys.  ``postprocess(figure, axes, summary)``
    may edit the figure before it is saved.  ``marker`` is the matplotlib marker
    (``None`` for lines only); ``grid`` turns the grid on.  ``file_name`` is
    accepted as an alias of ``filename``, as in Chainer.  The plotted series are
    serialized (key ``_plot_<filename>``), so a resumed run keeps its history.
    """

    def __init__(self, y_keys: str | Iterable[str] | None, x_key: str = "iteration",
                 trigger: TriggerLike = (1, "epoch"),
                 postprocess: Callable[..., object] | None = None,
                 filename: str = "plot.png", marker: str | None = "x", grid: bool = True,
                 *, file_name: str | None = None) -> None:
        _check_available()
        self._x_key = x_key
        if isinstance(y_keys, str):
            y_keys = (y_keys,)
        self._y_keys: tuple[str, ...] | None = None if y_keys is None else tuple(y_keys)
        self._trigger = get_trigger(trigger)
        self._file_name = file_name if file_name is not None else filename
        self._marker = marker
        self._grid = grid
        self._postprocess = postprocess
        self._init_summary()
        self._data: dict[str, list[tuple[float, float]]] = {k: [] for k in self._y_keys or ()}

    @staticmethod
    def available() -> bool:
        """True when matplotlib can be imported (warns when it cannot)."""
        return _check_available()

    def _init_summary(self) -> None:
        from fchain.facade.reporter import DictSummary

        self._summary = DictSummary()

    def __call__(self, trainer: Trainer) -> None:
        if not _available:
            return
        keys = self._y_keys or ()
        observation = trainer.observation
        self._summary.add({k: observation[k] for k in keys if k in observation})
        if not (trainer.is_before_training or self._trigger(trainer)):
            return  # called before training, it plots the iteration-0 point (Chainer)
        stats = {name: to_float(value) for name, value in self._summary.compute_mean().items()}
        updater = trainer.updater
        stats["epoch"] = updater.epoch
        stats["iteration"] = updater.iteration
        if self._x_key not in stats:
            raise KeyError(f"PlotReport: x_key {self._x_key!r} was not observed; "
                           f"observed: {sorted(stats)}")
        x = stats[self._x_key]
        for k in keys:
            if k in stats:
                self._data[k].append((x, stats[k]))
        self._draw(os.path.join(trainer.out, self._file_name))
        self._init_summary()

    def _draw(self, path: str) -> None:
        assert _figure_module is not None
        figure = _figure_module.Figure()
        axes = figure.add_subplot(111)
        axes.set_xlabel(self._x_key)
        if self._grid:
            axes.grid()
        for k in self._y_keys or ():
            points = self._data[k]
            if not points:
                continue
            axes.plot([p[0] for p in points], [p[1] for p in points], marker=self._marker, label=k)
        if not axes.has_data():
            return
        if self._postprocess is not None:
            self._postprocess(figure, axes, self._summary)
        legend = axes.legend(bbox_to_anchor=(1.05, 1), loc=2, borderaxespad=0.0)

        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        # The format follows the name's extension (PNG without one), as in Chainer.
        extension = os.path.splitext(path)[1].lstrip(".").lower() or "png"

        def write(temp: str) -> None:
            figure.savefig(temp, format=extension, bbox_extra_artists=(legend,),
                           bbox_inches="tight")

        atomic_write(path, write)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's key ``_plot_<filename>`` (the series as JSON text), plus the
        trigger under ``__fchain__/_trigger``."""
        serialize_extra(serializer, "_trigger", self._trigger)
        key = f"_plot_{self._file_name}"
        if isinstance(serializer, Serializer):
            serializer(key, json.dumps(self._data))
            return
        stored = serializer(key, "")
        text = str(stored.item() if hasattr(stored, "item") else stored)
        if text:
            loaded = json.loads(text)
            self._data = {k: [(p[0], p[1]) for p in v] for k, v in loaded.items()}
