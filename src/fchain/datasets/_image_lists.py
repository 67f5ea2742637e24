"""The lists the image datasets index: image paths, and (path, label) pairs, given
in memory or as a text file (Chainer's formats: one path a line; or a path and an
integer label a line, separated by white space, as Caffe's image lists).

Each list is read and checked once, when the dataset is made, so a malformed
line is reported with its file and line number before training starts, not as an
exception in a data-loading worker hours later.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import SupportsIndex, TypeAlias

import numpy

from fchain.datasets._idx import DatasetFileError
from fchain.errors import DTypeError
from fchain.types import Array, DTypeLike

__all__ = [
    "Label",
    "PathLike",
    "label_array",
    "paths_from",
    "pairs_from",
    "read_pairs_file",
]

PathLike: TypeAlias = str | os.PathLike[str]
"""A file system path."""

Label: TypeAlias = SupportsIndex | float
"""A label in an in-memory pairs list: an int (or numpy integer), or a float for a
floating ``label_dtype``."""


def _lines(dataset: str, argument: str, path: PathLike) -> Iterator[tuple[int, str]]:
    """The lines of the text file ``path``, stripped, numbered from 1."""
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                yield number, line.strip()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise type(exc)(
            f"{dataset}: {argument} names the list file {os.fspath(path)!r}, which cannot be "
            f"opened: {exc.strerror}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise DatasetFileError(
            f"{dataset}: {argument} file {os.fspath(path)!r} is not UTF-8 text: {exc}"
        ) from exc


def _empty_line(dataset: str, path: PathLike, number: int, expected: str) -> DatasetFileError:
    return DatasetFileError(
        f"{dataset}: line {number} of {os.fspath(path)!r} is empty; expected {expected}"
    )


def paths_from(dataset: str, paths: PathLike | Sequence[PathLike]) -> list[str]:
    """The image paths: ``paths`` itself when it is a sequence, else the lines of
    the text file it names (leading and trailing white space stripped, as in
    Chainer; an empty line is an error)."""
    if isinstance(paths, (str, os.PathLike)):
        out = []
        for number, line in _lines(dataset, "paths", paths):
            if not line:
                raise _empty_line(dataset, paths, number, "the path of an image")
            out.append(line)
        return out
    out = []
    for i, path in enumerate(paths):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"{dataset}: paths[{i}] must be a path (str or os.PathLike), "
                f"got {type(path).__name__}"
            )
        out.append(os.fspath(path))
    return out


def read_pairs_file(dataset: str, argument: str, path: PathLike) -> list[tuple[str, int]]:
    """The ``(path, label)`` pairs of a text file of ``path label`` lines; a line
    that is empty, has other than two fields or a label that is not an integer is
    an error naming the file and the line."""
    pairs = []
    for number, line in _lines(dataset, argument, path):
        if not line:
            raise _empty_line(dataset, path, number, "'<image path> <integer label>'")
        fields = line.split()
        if len(fields) != 2:
            raise DatasetFileError(
                f"{dataset}: line {number} of {os.fspath(path)!r} has {len(fields)} fields "
                f"({line!r}); expected 2, '<image path> <integer label>' separated by white space"
            )
        try:
            label = int(fields[1])
        except ValueError:
            raise DatasetFileError(
                f"{dataset}: line {number} of {os.fspath(path)!r} has the label {fields[1]!r}; "
                "expected an integer"
            ) from None
        pairs.append((fields[0], label))
    return pairs


def pairs_from(
    dataset: str, pairs: PathLike | Sequence[tuple[PathLike, Label]]
) -> tuple[list[str], list[Label]]:
    """The image paths and labels: those of the ``pairs`` sequence, or read from the
    text file ``pairs`` names (see ``read_pairs_file``)."""
    if isinstance(pairs, (str, os.PathLike)):
        read = read_pairs_file(dataset, "pairs", pairs)
        return [p for p, _ in read], [label for _, label in read]
    paths: list[str] = []
    labels: list[Label] = []
    for i, pair in enumerate(pairs):
        try:
            if isinstance(pair, (str, bytes)):
                raise TypeError
            path, label = pair
        except (TypeError, ValueError):
            raise TypeError(
                f"{dataset}: pairs[{i}] must be a (path, label) pair, got {pair!r}"
            ) from None
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"{dataset}: the path of pairs[{i}] must be a str or os.PathLike, "
                f"got {type(path).__name__}"
            )
        paths.append(os.fspath(path))
        labels.append(label)
    return paths, labels


def label_array(dataset: str, labels: list[Label], label_dtype: DTypeLike) -> Array:
    """All the labels as one array of ``label_dtype`` (a number dtype), labels along
    the first axis; a label that does not fit it is an error naming the dataset."""
    dtype = numpy.dtype(label_dtype)
    if dtype.kind not in "biuf":
        raise DTypeError(f"{dataset}: label_dtype must be a number dtype, got {dtype}")
    try:
        out = numpy.array(labels, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{dataset}: the labels cannot all be stored as {dtype}: {exc}") from exc
    return out
