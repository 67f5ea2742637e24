"""ProgressBar: Chainer's three-line text progress bar with speed and ETA."""

from __future__ import annotations

import datetime
import sys
import time
from typing import IO, TYPE_CHECKING

from fchain.training.extension import PRIORITY_READER, Extension
from fchain.training.extensions._console import ERASE, isatty

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["ProgressBar"]


class ProgressBar(Extension):
    """Every ``update_interval`` iterations prints::

             total [#####.............................................] 10.00%
        this epoch [##################################................] 68.33%
              1000 iter, 1 epoch / 20 epochs
            97.593 iters/sec. Estimated time to finish: 0:04:34.

    The training length comes from the stop trigger (an ``(n, unit)`` interval) or
    ``training_length``.  On a terminal the block is redrawn in place (erase, draw,
    cursor back up), so that PrintReport rows, which erase the bar before they are
    written, stay on the screen above it; elsewhere each block is simply appended.
    """

    trigger: TriggerLike = (1, "iteration")
    priority = PRIORITY_READER

    def __init__(self, training_length: tuple[int | float, str] | None = None,
                 update_interval: int = 100, bar_length: int = 50, out: IO[str] | None = None) -> None:
        self._training_length = training_length
        self._update_interval = update_interval
        self._bar_length = bar_length
        self._out = out
        self._recent: list[tuple[float, int]] = []
        self._drawn = False

    @property
    def out(self) -> IO[str]:
        return self._out if self._out is not None else sys.stdout

    def _length(self, trainer: Trainer) -> tuple[int | float, str]:
        if self._training_length is None:
            getter = getattr(trainer.stop_trigger, "get_training_length", None)
            if getter is None:
                raise ValueError("ProgressBar: give training_length when the stop trigger has no "
                                 "get_training_length() (use an (n, 'epoch'|'iteration') stop trigger)")
            self._training_length = getter()
        return self._training_length

    def _bar(self, name: str, rate: float) -> str:
        rate = min(max(rate, 0.0), 1.0)
        marks = int(rate * self._bar_length)
        return f"{name:>10} [{'#' * marks}{'.' * (self._bar_length - marks)}] {rate:6.2%}\n"

    def __call__(self, trainer: Trainer) -> None:
        length, unit = self._length(trainer)
        updater = trainer.updater
        iteration = updater.iteration
        self._recent.append((time.time(), iteration))
        if len(self._recent) > 10:
            del self._recent[0]
        if iteration % self._update_interval != 0:
            return
        epoch_detail = updater.epoch_detail
        rate = iteration / length if unit == "iteration" else epoch_detail / length
        lines = [self._bar("total", rate), self._bar("this epoch", epoch_detail - int(epoch_detail))]
        lines.append(f"{iteration:10} iter, {updater.epoch} epoch / {length} {unit}s\n")
        (t0, i0), (t1, i1) = self._recent[0], self._recent[-1]
        speed = (i1 - i0) / (t1 - t0) if t1 > t0 else 0.0
        if speed > 0:
            remaining = (length - iteration) / speed if unit == "iteration" else \
                (length - epoch_detail) * (iteration / max(epoch_detail, 1e-12)) / speed
            eta = datetime.timedelta(seconds=int(max(remaining, 0.0)))
            lines.append(f"{speed:10.5g} iters/sec. Estimated time to finish: {eta}.\n")
        else:
            lines.append(f"{'inf':>10} iters/sec. Estimated time to finish: 0:00:00.\n")
        out = self.out
        if isatty(out):
            # Chainer's protocol: erase from the cursor down, draw, and put the cursor
            # back at the bar's first line.  Whatever is printed next (a PrintReport
            # row, which erases first) takes the bar's place, and the next draw comes
            # below it, so printed rows are never overwritten.
            out.write(ERASE + "".join(lines) + f"\033[{len(lines)}A")
        else:
            out.write("".join(lines))
        out.flush()
        self._drawn = True

    def finalize(self) -> None:
        out = self.out
        if self._drawn and isatty(out):
            out.write(ERASE)
            out.flush()
