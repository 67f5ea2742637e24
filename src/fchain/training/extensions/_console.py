"""What ProgressBar and PrintReport share to draw on a terminal."""

from __future__ import annotations

from typing import IO

__all__ = ["ERASE", "isatty"]

ERASE = "\033[J"
"""ANSI "erase from the cursor to the end of the screen"."""


def isatty(out: IO[str]) -> bool:
    """Whether ``out`` is a terminal (False for streams without ``isatty`` or closed)."""
    method = getattr(out, "isatty", None)
    try:
        return bool(method()) if method is not None else False
    except ValueError:  # a closed stream
        return False
