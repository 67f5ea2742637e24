"""PrintReport: prints chosen entries of the LogReport's log as a table."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from fchain.facade.serializer import AbstractSerializer
from fchain.training.extension import PRIORITY_READER, Extension
from fchain.training.extensions._console import ERASE, isatty
from fchain.training.extensions.log_report import LogReport

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["PrintReport"]


class PrintReport(Extension):
    """Prints a header once, then one row per new log entry, with Chainer's layout
    (columns at least 10 wide, two spaces apart, numbers in ``g`` format).

    ``log_report`` is the LogReport extension's name (default ``'LogReport'``) or a
    LogReport of its own, which PrintReport then calls itself each time it is
    called (as Chainer does), so it need not be registered with the trainer.

    On a terminal (``out.isatty()``) each line is preceded by the erase-to-end code
    ``ESC [J``, which clears a ProgressBar drawn below the cursor before the row is
    written over it; the bar is redrawn below the row on its next update.
    """

    trigger: TriggerLike = (1, "iteration")
    priority = PRIORITY_READER

    def __init__(self, entries: Sequence[str], log_report: str | LogReport = "LogReport",
                 out: IO[str] | None = None) -> None:
        self._entries = list(entries)
        self._log_report = log_report
        self._out = out
        self._log_len = 0
        widths = [max(10, len(entry)) for entry in self._entries]
        self._header = "  ".join(f"{entry:<{w}}" for entry, w in zip(self._entries, widths)) + "\n"
        self._widths = widths
        self._header_printed = False

    @property
    def out(self) -> IO[str]:
        return self._out if self._out is not None else sys.stdout

    def _log(self, trainer: Trainer) -> list[dict[str, Any]]:
        report = self._log_report
        if isinstance(report, str):
            found = trainer.get_extension(report)
            if not isinstance(found, LogReport):
                raise TypeError(f"PrintReport: extension {report!r} is not a LogReport")
            return found.log
        if not isinstance(report, LogReport):
            raise TypeError(f"PrintReport: log_report must be a LogReport or the name of one, "
                            f"got {type(report).__name__}")
        report(trainer)  # a LogReport of our own: it accumulates when we are called
        return report.log

    def _row(self, entry: dict[str, Any]) -> str:
        cells = []
        for name, width in zip(self._entries, self._widths):
            if name in entry:
                cells.append(f"{entry[name]:<{width}g}  ")
            else:
                cells.append(" " * (width + 2))
        return "".join(cells).rstrip() + "\n"

    def __call__(self, trainer: Trainer) -> None:
        log = self._log(trainer)
        if self._header_printed and len(log) == self._log_len:
            return  # most iterations: nothing new to print
        out = self.out
        erase = ERASE if isatty(out) else ""
        if not self._header_printed:
            out.write(erase + self._header)
            self._header_printed = True
        for entry in log[self._log_len:]:
            out.write(erase + self._row(entry))
        out.flush()
        self._log_len = len(log)

    def serialize(self, serializer: AbstractSerializer) -> None:
        if isinstance(self._log_report, LogReport):
            self._log_report.serialize(serializer["_log_report"])
