"""LogReport: averages observations over an interval and keeps (and writes) a log."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from fchain.facade.serializer import AbstractSerializer, Serializer
from fchain.serializers._atomic import atomic_write
from fchain.training.extension import PRIORITY_EDITOR, Extension
from fchain.training.triggers.util import get_trigger

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["LogReport"]


class LogReport(Extension):
    """Accumulates every observation each iteration; when its own ``trigger`` fires it
    appends the means (plus ``epoch``, ``iteration``, ``elapsed_time``) to ``log`` and
    writes the whole log as JSON to ``<out>/<filename>`` (atomically).  A call
    before training (``trainer.extend(LogReport(), call_before_training=True)``)
    appends an entry too, for iteration 0, as Chainer does.

    ``keys`` restricts the observed keys; ``postprocess`` may edit each entry before
    it is stored.  ``filename`` (default ``'log'``; Chainer's older spelling
    ``log_name`` is accepted) is formatted with the new entry, so ``'log_{epoch}'``
    writes ``log_1``, ``log_2``, ...; ``log_name=None`` keeps the log in memory only.
    The file gets the usual permissions (``0o666`` less the umask).
    """

    trigger: TriggerLike = (1, "iteration")
    priority = PRIORITY_EDITOR

    def __init__(self, keys: Iterable[str] | None = None, trigger: TriggerLike = (1, "epoch"),
                 postprocess: Callable[[dict[str, float]], None] | None = None,
                 filename: str | None = None, *, log_name: str | None = "log") -> None:
        self._keys = None if keys is None else list(keys)
        self._trigger = get_trigger(trigger)
        self._postprocess = postprocess
        # Chainer 7: ``filename=None`` falls back to the old ``log_name`` argument,
        # whose default is ``'log'``; only ``log_name=None`` turns the file off.
        if log_name is not None and not isinstance(log_name, str):
            raise TypeError(f"LogReport: log_name must be a str or None, got {log_name!r}")
        self._log_name: str | None = log_name if filename is None else filename
        self._log: list[dict[str, float]] = []
        self._init_summary()

    def _init_summary(self) -> None:
        from fchain.facade.reporter import DictSummary

        self._summary = DictSummary()

    @property
    def log(self) -> list[dict[str, float]]:
        """Every entry so far: dicts of float means plus epoch, iteration, elapsed_time."""
        return self._log

    def __call__(self, trainer: Trainer) -> None:
        observation = trainer.observation
        if self._keys is None:
            self._summary.add(observation)
        else:
            self._summary.add({k: observation[k] for k in self._keys if k in observation})
        # Called before training (``call_before_training=True``), the log gets an
        # entry of its own, epoch 0 and iteration 0 (Chainer's layout), rather than
        # averaging a pre-training evaluation into the first epoch's entry.  The
        # trigger is not consulted then, so its state is as if the call never was.
        if not (trainer.is_before_training or self._trigger(trainer)):
            return
        stats = self._summary.compute_mean()
        entry: dict[str, float] = {name: float(value) for name, value in stats.items()}
        updater = trainer.updater
        entry["epoch"] = updater.epoch
        entry["iteration"] = updater.iteration
        entry["elapsed_time"] = trainer.elapsed_time
        if self._postprocess is not None:
            self._postprocess(entry)
        self._log.append(entry)
        if self._log_name is not None:
            self._write(os.path.join(trainer.out, self._file_name(entry)))
        self._init_summary()

    def _file_name(self, entry: dict[str, float]) -> str:
        assert self._log_name is not None
        try:
            return self._log_name.format(**entry)
        except (KeyError, IndexError, AttributeError) as error:
            raise KeyError(f"LogReport: filename {self._log_name!r} names {error}, which the log "
                           f"entry does not have; its keys are {sorted(entry)}") from None

    def _write(self, path: str) -> None:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        text = json.dumps(self._log, indent=4)

        def write(temp: str) -> None:
            with open(temp, "w") as f:
                f.write(text)

        atomic_write(path, write)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys: ``_trigger/``, ``_summary/`` and ``_log`` (JSON text)."""
        trigger_serialize = getattr(self._trigger, "serialize", None)
        if trigger_serialize is not None:
            trigger_serialize(serializer["_trigger"])
        self._summary.serialize(serializer["_summary"])
        if isinstance(serializer, Serializer):
            serializer("_log", json.dumps(self._log))
        else:
            stored = serializer("_log", "")
            if stored is not None:
                text = str(stored.item() if hasattr(stored, "item") else stored)
                if text:
                    self._log = json.loads(text)


