"""Text files read in step, line by line, then read back by line number without
holding their text in memory (the engine of ``TextDataset``).

Building the index reads every file once, keeping the position where each kept
line starts (``tell()`` of the text stream, so any encoding and newline mode
works).  Reading a line back seeks there.  The open files are shared by threads
under a lock, reopened in a forked child (which would otherwise share the
parent's file positions) and dropped when pickled (files do not pickle); the
next read reopens them, after checking that each file still has the size it had
when indexed, since positions in a changed file would read the wrong lines.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from fchain.datasets._idx import DatasetFileError

__all__ = ["LineFiles", "TextOptions"]


@dataclass(frozen=True)
class TextOptions:
    """How one file is opened: ``open``'s ``encoding``, ``errors`` and ``newline``."""

    encoding: str | None
    errors: str | None
    newline: str | None


def _open(path: str, options: TextOptions) -> TextIO:
    return open(path, encoding=options.encoding, errors=options.errors, newline=options.newline)


def _count_rest(f: TextIO) -> int:
    return sum(1 for _ in iter(f.readline, ""))


class LineFiles:
    """The lines of ``paths`` (one line of each file per example) that
    ``keep(*lines)`` accepts (all lines when ``keep`` is ``None``).  Files with
    different numbers of lines are a ``ValueError``; ``owner`` names the user of
    this object in errors."""

    def __init__(self, owner: str, paths: Sequence[str], options: Sequence[TextOptions],
                 keep: Callable[..., object] | None) -> None:
        self._owner = owner
        self._paths = list(paths)
        self._options = list(options)
        self._lock = threading.Lock()
        self._files: list[TextIO] | None = None
        self._pid = os.getpid()
        with contextlib.ExitStack() as opened:  # closes them all if anything fails
            files = [opened.enter_context(_open(p, o)) for p, o in zip(self._paths, self._options)]
            self._starts = self._index(files, keep)
            self._sizes = [os.fstat(f.fileno()).st_size for f in files]
            opened.pop_all()
        self._files = files

    def _index(self, files: list[TextIO], keep: Callable[..., object] | None) -> list[list[int]]:
        """Where each kept line starts, in each file."""
        starts: list[list[int]] = [[] for _ in files]
        n = 0
        while True:
            here = [f.tell() for f in files]
            lines = [f.readline() for f in files]
            if not all(lines):
                if any(lines):
                    self._mismatch(files, lines, n)
                return starts
            if keep is None or keep(*lines):
                for positions, position in zip(starts, here):
                    positions.append(position)
            n += 1

    def _mismatch(self, files: list[TextIO], last: list[str], n: int) -> None:
        counts = [n + 1 + _count_rest(f) if line else n for f, line in zip(files, last)]
        listing = ", ".join(f"{p!r} has {c}" for p, c in zip(self._paths, counts))
        raise ValueError(f"{self._owner}: the files must have the same number of lines: {listing}")

    def __len__(self) -> int:
        return len(self._starts[0])

    def _reopen(self) -> list[TextIO]:
        with contextlib.ExitStack() as opened:  # closes them all if anything fails
            files: list[TextIO] = []
            for path, options, size in zip(self._paths, self._options, self._sizes):
                f = opened.enter_context(_open(path, options))
                files.append(f)
                if os.fstat(f.fileno()).st_size != size:
                    raise DatasetFileError(
                        f"{self._owner}: {path!r} has changed since its lines were indexed "
                        f"({size} bytes then); make the dataset again"
                    )
            opened.pop_all()
        return files

    def read(self, k: int) -> list[str]:
        """The ``k``-th kept line of every file, newline included."""
        with self._lock:
            if self._files is None or self._pid != os.getpid():
                for f in self._files or ():  # a forked child's copies of the parent's files
                    f.close()
                self._files = self._reopen()
                self._pid = os.getpid()
            out = []
            for f, positions in zip(self._files, self._starts):
                f.seek(positions[k])
                out.append(f.readline())
            return out

    def close(self) -> None:
        """Close the files (a later read opens them again)."""
        with self._lock:
            files, self._files = self._files, None
        if files is not None:
            for f in files:
                f.close()

    def __del__(self) -> None:
        for f in getattr(self, "_files", None) or ():
            f.close()

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state["_files"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
