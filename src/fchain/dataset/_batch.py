"""Lazy batches of array-backed datasets: the fast path of ``SerialIterator`` and
``concat_examples``.

A batch is Chainer's list of examples.  When the dataset is array-backed (a numpy
array, or a ``TupleDataset``/``DictDataset`` whose every column is a numpy array of a
numeric dtype), ``SerialIterator`` returns a ``ColumnBatch``: a ``list`` subclass that
remembers the dataset and the batch's indices and reads the examples
(``dataset[i]`` for each index, exactly what the plain path does) only when the list
itself is first used.  ``concat_examples`` recognizes a batch that was never read as a
list and gathers each column with one index operation instead (``column[indices]``),
which gives the same arrays as stacking the examples, without building one tuple
and two array views per example.

Every list operation (indexing, iteration, ``len``, comparisons, mutation, ``repr``,
copying, pickling) behaves as on the plain list of examples; copies and pickles are
plain lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, SupportsIndex, TypeVar

import numpy

__all__ = ["ArrayColumns", "ColumnBatch", "array_columns", "gatherable"]

E = TypeVar("E")

# Numeric kinds only: for these, ``numpy.asarray([column[i], ...])`` (what stacking
# scalars does) has the column's dtype.  Strings would get the widest example's width,
# objects would be unpacked.
_KINDS = frozenset("biufc")


def gatherable(column: object) -> bool:
    """True for a plain numpy array (not a subclass) of at least one dimension whose
    dtype is numeric and in native byte order."""
    if type(column) is not numpy.ndarray:
        return False
    dtype = column.dtype
    return column.ndim >= 1 and dtype.kind in _KINDS and dtype.isnative and dtype.names is None


@dataclass(frozen=True, slots=True)
class ArrayColumns:
    """How a dataset's examples are made of array rows.

    ``kind`` is ``'tuple'`` (example ``i`` is ``tuple(c[i] for c in arrays)``),
    ``'dict'`` (``{k: c[i] for k, c in zip(keys, arrays)}``) or ``'array'`` (one
    column: example ``i`` is ``arrays[0][i]``).
    """

    kind: Literal["tuple", "dict", "array"]
    arrays: tuple[numpy.ndarray[Any, Any], ...]
    keys: tuple[str, ...] = ()


def array_columns(dataset: object) -> ArrayColumns | None:
    """The columns of an array-backed dataset, or ``None`` when its examples are not
    rows of numeric numpy arrays (any other dataset keeps the plain path).  Datasets
    opt in with a ``_fchain_array_columns()`` method."""
    if type(dataset) is numpy.ndarray:
        return ArrayColumns("array", (dataset,)) if gatherable(dataset) else None
    hook: Callable[[object], ArrayColumns | None] | None = getattr(
        type(dataset), "_fchain_array_columns", None)
    if hook is None:
        return None
    return hook(dataset)


class ColumnBatch(list[E]):
    """The list of examples ``[dataset[i] for i in indices]``, read on first use.

    While it was never used as a list, ``gather()`` returns the batch's columns
    (``column[indices]`` each); afterwards it returns ``None`` and converters read the
    examples, so edits to the list are always honoured.
    """

    __slots__ = ("_dataset", "_indices", "_columns", "_span", "_pending")

    def __init__(self, dataset: Any, indices: numpy.ndarray[Any, Any], columns: ArrayColumns,
                 contiguous: bool = False) -> None:
        """``indices``: the examples' indices, in order (the batch keeps them: pass a
        copy); ``contiguous``: they are consecutive and ascending (a slice then
        gathers the columns)."""
        super().__init__()
        self._dataset = dataset
        self._indices = indices
        self._columns = columns
        self._span: slice | None = (
            slice(int(indices[0]), int(indices[0]) + len(indices)) if contiguous and len(indices)
            else None)
        self._pending = True

    def _materialize(self) -> None:
        if self._pending:
            dataset = self._dataset
            examples = [dataset[i] for i in self._indices.tolist()]
            list.extend(self, examples)
            self._pending = False
            self._dataset = None

    def gather(self) -> ArrayColumns | None:
        """The batch as columns (each ``column[indices]``, a new array), or ``None``
        once the list has been read or edited."""
        if not self._pending:
            return None
        columns = self._columns
        span = self._span
        if span is not None:
            arrays = tuple([a[span].copy() for a in columns.arrays])
        else:
            indices = self._indices
            arrays = tuple([a[indices] for a in columns.arrays])
        return ArrayColumns(columns.kind, arrays, columns.keys)

    def __len__(self) -> int:
        if self._pending:
            return len(self._indices)
        return list.__len__(self)

    def __radd__(self, other: object) -> list[Any]:
        if not isinstance(other, list):
            return NotImplemented
        self._materialize()
        return list.__add__(other, self)

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[type[list[Any]], tuple[list[E]]]:
        # Copies and pickles are plain lists of the examples.
        self._materialize()
        return list, (list(list.__iter__(self)),)

    def __reduce__(self) -> tuple[type[list[Any]], tuple[list[E]]]:
        return self.__reduce_ex__(2)


def _reading(name: str) -> Callable[..., Any]:
    method = getattr(list, name)

    def wrapper(self: ColumnBatch[Any], /, *args: Any, **kwargs: Any) -> Any:
        if self._pending:
            self._materialize()
        return method(self, *args, **kwargs)

    wrapper.__name__ = name
    wrapper.__qualname__ = f"ColumnBatch.{name}"
    wrapper.__doc__ = method.__doc__
    return wrapper


# Every list method that reads or changes the items: read the examples first.
# (``len`` is answered from the indices; ``[...] + batch`` goes through ``__radd__``.)
for _name in (
    "__getitem__", "__setitem__", "__delitem__", "__iter__", "__reversed__", "__contains__",
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "__add__", "__iadd__", "__mul__", "__rmul__", "__imul__", "__repr__", "__sizeof__",
    "append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse",
    "copy", "clear",
):
    setattr(ColumnBatch, _name, _reading(_name))
del _name
