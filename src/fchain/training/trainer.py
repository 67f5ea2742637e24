"""Trainer: the training loop (Chainer's ``chainer.training.Trainer``)."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fchain.facade.serializer import AbstractSerializer, Serializer
from fchain.training._types import Trigger, TriggerLike
from fchain.training.extension import PRIORITY_READER
from fchain.training.triggers.util import get_trigger
from fchain.training.updaters.updater import Updater

if TYPE_CHECKING:
    from typing_extensions import TypeVar as _TypeVarWithDefault

    from fchain.facade.reporter import Reporter

    UpdaterT = _TypeVarWithDefault("UpdaterT", bound=Updater, default=Updater, covariant=True)
else:
    UpdaterT = TypeVar("UpdaterT", bound=Updater, covariant=True)

__all__ = ["Trainer"]

ExtensionLike = Callable[["Trainer"], object]
"""An extension: called with the trainer (an ``Extension``, or a function made
one by ``make_extension``)."""


@dataclass
class _Entry:
    extension: ExtensionLike
    priority: int
    trigger: Trigger
    call_before_training: bool


def _extension_name(extension: ExtensionLike) -> str:
    for attribute in ("name", "default_name", "__name__"):
        value = getattr(extension, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(extension).__name__


class Trainer(Generic[UpdaterT]):
    """Runs ``updater.update()`` until ``stop_trigger`` fires, calling each extension
    whose trigger fires after every update.

    ``stop_trigger`` is a trigger or Chainer's ``(n, 'epoch'|'iteration')``; ``out`` is
    the folder extensions write to.  ``observation`` holds what was reported during
    the current iteration; the main optimizer's target is the observer ``main``, so a
    ``Classifier`` reports ``main/loss`` and ``main/accuracy``.

    Generic in its updater: ``Trainer(updater, ...)`` has ``updater`` typed as
    given; a bare ``Trainer`` annotation (an extension's ``trainer`` argument)
    means ``Trainer[Updater]``.
    """

    updater: UpdaterT
    stop_trigger: Trigger
    out: str
    observation: dict[str, Any]  # Any: what the user's code reported, of its own types
    """What was reported in the current iteration.  Any: the values are what the
    user's code reported (Variables, arrays, floats, or objects of its own)."""
    reporter: Reporter

    def __init__(self, updater: UpdaterT, stop_trigger: TriggerLike = None, out: str = "result",
                 extensions: list[ExtensionLike] | None = None) -> None:
        from fchain.facade.reporter import Reporter

        self.updater = updater
        self.stop_trigger = get_trigger(stop_trigger)
        self.out = out
        self.observation = {}
        self.reporter = Reporter()
        for name, optimizer in updater.get_all_optimizers().items():
            target = optimizer.target
            self.reporter.add_observer(name, target)
            self.reporter.add_observers(name, target.namedlinks(skipself=True))
        self._extensions: dict[str, _Entry] = {}
        self._done = False
        self._start_at: float | None = None
        self._snapshot_elapsed_time = 0.0
        self._final_elapsed_time: float | None = None
        updater.connect_trainer(self)
        for ext in extensions or []:
            self.extend(ext)

    @property
    def is_before_training(self) -> bool:
        """True until the first update: ``updater.iteration == 0`` (Chainer's definition).

        Extensions registered with ``call_before_training=True`` are called once
        while this holds, before the first update; an extension whose own trigger
        decides when it emits something (LogReport, PlotReport) emits on that call
        too, since its trigger cannot fire before any iteration.  A run resumed from
        a snapshot starts after iteration 0, so it makes no such call, as in Chainer.
        """
        return self.updater.iteration == 0

    @property
    def elapsed_time(self) -> float:
        """Seconds of training so far, including time before a resume."""
        if self._done and self._final_elapsed_time is not None:
            return self._final_elapsed_time
        if self._start_at is None:
            return self._snapshot_elapsed_time
        return time.time() - self._start_at + self._snapshot_elapsed_time

    def extend(self, extension: ExtensionLike, name: str | None = None, trigger: TriggerLike = None,
               priority: int | None = None, *, call_before_training: bool = False) -> None:
        """Register an extension; names repeat as ``name_1``, ``name_2``, ... as in Chainer.

        ``call_before_training=True`` also calls it once before the first update of
        a run that starts at iteration 0 (see ``is_before_training``).
        """
        if name is None:
            name = _extension_name(extension)
        if name == "training":
            raise ValueError("Trainer.extend: the name 'training' is reserved")
        if trigger is None:
            trigger = getattr(extension, "trigger", (1, "iteration"))
        if priority is None:
            priority = int(getattr(extension, "priority", PRIORITY_READER))
        unique = name
        ordinal = 0
        while unique in self._extensions:
            ordinal += 1
            unique = f"{name}_{ordinal}"
        try:
            setattr(extension, "name", unique)
        except AttributeError:
            pass
        self._extensions[unique] = _Entry(extension, priority, get_trigger(trigger), call_before_training)

    def get_extension(self, name: str) -> ExtensionLike:
        """The extension registered as ``name``."""
        try:
            return self._extensions[name].extension
        except KeyError:
            raise ValueError(f"Trainer.get_extension: no extension named {name!r}; "
                             f"registered: {sorted(self._extensions)}") from None

    @property
    def extensions(self) -> Mapping[str, ExtensionLike]:
        return {name: entry.extension for name, entry in self._extensions.items()}

    def _ordered(self) -> list[tuple[str, _Entry]]:
        return sorted(self._extensions.items(), key=lambda item: -item[1].priority)

    def run(self, show_loop_exception_msg: bool = True) -> None:
        """Train until the stop trigger fires.  A trainer runs once."""
        if self._done:
            raise RuntimeError("Trainer.run: a trainer can run its loop only once")
        os.makedirs(self.out, exist_ok=True)
        extensions = self._ordered()
        for _, entry in extensions:
            initializer = getattr(entry.extension, "initialize", None)
            if initializer is not None:
                initializer(self)
        self._start_at = time.time()
        if self.is_before_training:
            # One observation for every extension called before training, in
            # priority order: an Evaluator (a writer) reports into it, then a
            # LogReport (an editor) turns it into the log's iteration-0 entry.
            self.observation = {}
            with self.reporter.scope(self.observation):
                for _, entry in extensions:
                    if entry.call_before_training:
                        entry.extension(self)
        update = self.updater.update
        reporter = self.reporter
        stop_trigger = self.stop_trigger
        calls = [(entry.trigger, entry.extension) for _, entry in extensions]
        try:
            while not stop_trigger(self):
                # ``with reporter.scope(observation):`` written out (it runs every
                # iteration): the reporter is current and writes into the new dict.
                observation: dict[str, Any] = {}
                self.observation = observation
                previous = reporter.observation
                reporter.observation = observation
                reporter.__enter__()
                try:
                    update()
                    for trigger, extension in calls:
                        if trigger(self):
                            extension(self)
                finally:
                    reporter.__exit__(None, None, None)
                    reporter.observation = previous
        except BaseException as error:
            if show_loop_exception_msg and not isinstance(error, KeyboardInterrupt):
                print("Exception in main training loop: {}".format(error), file=sys.stderr)
                print("Traceback (most recent call last):", file=sys.stderr)
                traceback.print_tb(sys.exc_info()[2])
                print("Will finalize trainer extensions and updater before reraising the exception.",
                      file=sys.stderr)
            for _, entry in extensions:
                handler = getattr(entry.extension, "on_error", None)
                if handler is not None:
                    try:
                        handler(self, error, sys.exc_info()[2])
                    except Exception as handler_error:
                        print(f"Exception in error handler of {entry.extension}: {handler_error}",
                              file=sys.stderr)
            raise
        finally:
            for _, entry in extensions:
                finalize = getattr(entry.extension, "finalize", None)
                if finalize is not None:
                    finalize()
            self.updater.finalize()
            self._final_elapsed_time = self.elapsed_time
            self._done = True

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's snapshot layout: ``updater/``, ``stop_trigger/``, ``extensions/<name>/``,
        ``extension_triggers/<name>/`` and ``_snapshot_elapsed_time``."""
        self.updater.serialize(serializer["updater"])
        stop_serialize = getattr(self.stop_trigger, "serialize", None)
        if stop_serialize is not None:
            stop_serialize(serializer["stop_trigger"])
        ext_s = serializer["extensions"]
        trig_s = serializer["extension_triggers"]
        for name, entry in self._extensions.items():
            ext_serialize = getattr(entry.extension, "serialize", None)
            if ext_serialize is not None:
                ext_serialize(ext_s[name])
            trig_serialize = getattr(entry.trigger, "serialize", None)
            if trig_serialize is not None:
                trig_serialize(trig_s[name])
        if isinstance(serializer, Serializer):
            serializer("_snapshot_elapsed_time", self.elapsed_time)
        else:
            self._snapshot_elapsed_time = float(serializer("_snapshot_elapsed_time", 0.0))
