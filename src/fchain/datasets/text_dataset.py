"""Chainer's ``chainer.datasets.text_dataset``: the lines of text files as a dataset,
read from disk on every access instead of held in memory.

``TextDataset(path)`` gives each line of one file as a ``str`` (newline included,
as ``readline`` returns it); ``TextDataset([path_a, path_b])`` gives a tuple of
the lines at the same position in each file (a parallel corpus: source and
target sentences), as Chainer does (a list of one path gives ``str``, as in
Chainer).  Types: a single path types the examples as ``str``, a tuple of two
paths as ``tuple[str, str]``, a longer tuple as ``tuple[str, ...]``, and a list
(whose length the type checker does not know) as ``str | tuple[str, ...]``.

Differences from Chainer: negative indices count from the end (Chainer refuses
them); the dataset works after ``fork`` and after pickling without the caller's
care (files are reopened as needed), and a file whose size changed since the
dataset was made is an error when it is reopened instead of wrong lines; line
counts that differ are reported with each file's count; a read after ``close()``
opens the files again, and the dataset is a context manager that closes them.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import SupportsIndex, TypeVar, cast, overload

from fchain.dataset.dataset_mixin import DatasetMixin
from fchain.datasets._line_files import LineFiles, TextOptions

__all__ = ["TextDataset"]

PathLike = str | os.PathLike[str]
Option = str | None | Sequence[str | None]
"""One value for every file, or a sequence of one value per file."""

L = TypeVar("L", bound=str | tuple[str, ...])
"""What an example is: ``str`` for one file, a tuple of ``str`` for several."""


def _per_file(name: str, value: Option, n: int) -> list[str | None]:
    if value is None or isinstance(value, str):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(
            f"TextDataset: {name} has {len(values)} values for {n} files; give one value "
            "or one per file"
        )
    return values


class TextDataset(DatasetMixin[L]):
    """The lines of one text file, or tuples of the lines of several files.

    Args:
        paths: a path, or a sequence of paths whose files have the same number of
            lines.
        encoding, errors, newline: ``open``'s arguments, one for all files or a
            sequence of one per file (default: the platform's encoding, strict
            decoding, universal newlines, as ``open`` has them).
        filter_func: called with one line of each file (newlines included) when
            the dataset is made; the lines for which it returns a false value are
            left out.

    The files are read once when the dataset is made, to index their lines, and
    stay open; ``close()`` (or leaving a ``with`` block) closes them early.
    """

    # The overloads differ in ``paths`` only: were ``filter_func`` typed per overload,
    # a lambda (whose parameters mypy types as Any) would match several overloads with
    # different results, which makes the dataset's type Any.
    @overload
    def __init__(
        self: TextDataset[str],
        paths: PathLike,
        encoding: Option = None,
        errors: Option = None,
        newline: Option = None,
        filter_func: Callable[..., object] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: TextDataset[tuple[str, str]],
        paths: tuple[PathLike, PathLike],
        encoding: Option = None,
        errors: Option = None,
        newline: Option = None,
        filter_func: Callable[..., object] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: TextDataset[tuple[str, ...]],
        paths: tuple[PathLike, PathLike, *tuple[PathLike, ...]],
        encoding: Option = None,
        errors: Option = None,
        newline: Option = None,
        filter_func: Callable[..., object] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: TextDataset[str | tuple[str, ...]],
        paths: Sequence[PathLike],
        encoding: Option = None,
        errors: Option = None,
        newline: Option = None,
        filter_func: Callable[..., object] | None = None,
    ) -> None: ...

    def __init__(
        self,
        paths: PathLike | Sequence[PathLike],
        encoding: Option = None,
        errors: Option = None,
        newline: Option = None,
        filter_func: Callable[..., object] | None = None,
    ) -> None:
        if isinstance(paths, (str, os.PathLike)):
            files = [os.fspath(paths)]
        else:
            files = [os.fspath(p) for p in paths]
            if not files:
                raise ValueError("TextDataset: at least one text file must be given")
        n = len(files)
        options = [
            TextOptions(e, r, nl) for e, r, nl in zip(
                _per_file("encoding", encoding, n),
                _per_file("errors", errors, n),
                _per_file("newline", newline, n),
            )
        ]
        self._lines = LineFiles("TextDataset", files, options, filter_func)

    def __len__(self) -> int:
        return len(self._lines)

    def get_example(self, i: SupportsIndex) -> L:
        n = len(self._lines)
        j = operator.index(i)
        k = j + n if j < 0 else j
        if not 0 <= k < n:
            raise IndexError(f"TextDataset: index {j} out of range for length {n}")
        lines = self._lines.read(k)
        # L was chosen by the overload of __init__ from the paths given.
        return cast(L, lines[0] if len(lines) == 1 else tuple(lines))

    def close(self) -> None:
        """Close the files now (a later read opens them again)."""
        self._lines.close()

    def __enter__(self) -> TextDataset[L]:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
