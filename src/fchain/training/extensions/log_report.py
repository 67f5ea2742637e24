"""LogReport: averages observations over an interval and keeps (and writes) a log."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from fchain.facade.serializer import AbstractSerializer, Serializer
from fchain.training.extension import PRIORITY_EDITOR, Extension
from fchain.training.triggers.util import get_trigger

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["LogReport"]


class LogReport(Extension):
    """Accumulates every observation each iteration; when its own ``trigger`` fires it
    appends the means (plus ``epoch``, ``iteration``, ``elapsed_time``) to ``log`` and
    writes the whole log as JSON to ``<out>/<filename>`` (atomically).

    ``keys`` restricts the observed keys; ``postprocess`` may edit each entry before
    it is stored; ``filename=None`` keeps the log in memory only.
    """

    trigger: TriggerLike = (1, "iteration")
    priority = PRIORITY_EDITOR

    def __init__(self, keys: Iterable[str] | None = None, trigger: TriggerLike = (1, "epoch"),
                 postprocess: Callable[[dict[str, Any]], None] | None = None,
                 filename: str | None = "log", **kwargs: Any) -> None:
        self._keys = None if keys is None else list(keys)
        self._trigger = get_trigger(trigger)
        self._postprocess = postprocess
        self._log_name = kwargs.pop("log_name", filename)
        if kwargs:
            raise TypeError(f"LogReport: unexpected arguments {sorted(kwargs)}")
        self._log: list[dict[str, Any]] = []
        self._init_summary()

    def _init_summary(self) -> None:
        from fchain.facade.reporter import DictSummary

        self._summary = DictSummary()

    @property
    def log(self) -> list[dict[str, Any]]:
        """Every entry so far: dicts of float means plus epoch, iteration, elapsed_time."""
        return self._log

    def __call__(self, trainer: Trainer) -> None:
        observation = trainer.observation
        if self._keys is None:
            self._summary.add(observation)
        else:
            self._summary.add({k: observation[k] for k in self._keys if k in observation})
        if not self._trigger(trainer):
            return
        stats = self._summary.compute_mean()
        entry: dict[str, Any] = {name: float(value) for name, value in stats.items()}
        updater = trainer.updater
        entry["epoch"] = updater.epoch
        entry["iteration"] = updater.iteration
        entry["elapsed_time"] = trainer.elapsed_time
        if self._postprocess is not None:
            self._postprocess(entry)
        self._log.append(entry)
        if self._log_name is not None:
            self._write(os.path.join(trainer.out, self._log_name))
        self._init_summary()

    def _write(self, path: str) -> None:
        folder = os.path.dirname(path) or "."
        os.makedirs(folder, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".tmp_log_", dir=folder)
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(self._log, f, indent=4)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.remove(temp)
            raise

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


