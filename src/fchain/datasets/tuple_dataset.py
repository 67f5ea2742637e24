"""``TupleDataset``: several equal-length datasets zipped into tuples."""

from __future__ import annotations

from typing import Any, SupportsIndex, TypeAlias, TypeVar, cast, overload

import numpy

from fchain.dataset._batch import ArrayColumns, gatherable
from fchain.dataset.dataset_mixin import (
    Dataset,
    DatasetMixin,
    Index,
    MultiIndex,
    is_multi_index,
)
from fchain.types import Array

__all__ = ["Row", "TupleDataset"]

Row: TypeAlias = Array | numpy.generic
"""An example of an array dataset: a row of the array, which is an array, or a
numpy scalar when the array has one dimension."""

T_co = TypeVar("T_co", covariant=True, bound=tuple[Any, ...])
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")


class TupleDataset(DatasetMixin[T_co]):
    """The ``i``-th example is ``(datasets[0][i], datasets[1][i], ...)``.

    Typically the datasets are arrays: ``TupleDataset(x, t)``.  A slice (or a list or
    array of indices) returns a list of tuples, reading each dataset once with that
    index, so slicing arrays stays fast.
    """

    # Arrays first: numpy types an element read from an array as Any, which would
    # make every example, batch and ``concat_examples(batch)`` Any; an array's
    # examples are its rows, arrays or, for a 1-dimensional array, numpy scalars.
    # Name the type to get another (``TupleDataset[tuple[Array, Array]](x, y)``).
    @overload
    def __init__(self: TupleDataset[tuple[Row]], d0: Array, /) -> None: ...

    @overload
    def __init__(self: TupleDataset[tuple[Row, Row]], d0: Array, d1: Array, /) -> None: ...

    @overload
    def __init__(self: TupleDataset[tuple[Row, Row, Row]], d0: Array, d1: Array, d2: Array, /) -> None: ...

    @overload
    def __init__(self: TupleDataset[tuple[A]], d0: Dataset[A], /) -> None: ...

    @overload
    def __init__(self: TupleDataset[tuple[A, B]], d0: Dataset[A], d1: Dataset[B], /) -> None: ...

    @overload
    def __init__(
        self: TupleDataset[tuple[A, B, C]], d0: Dataset[A], d1: Dataset[B], d2: Dataset[C], /
    ) -> None: ...

    @overload
    def __init__(
        self: TupleDataset[tuple[A, B, C, D]],
        d0: Dataset[A],
        d1: Dataset[B],
        d2: Dataset[C],
        d3: Dataset[D],
        /,
    ) -> None: ...

    @overload
    def __init__(self: TupleDataset[tuple[object, ...]], *datasets: Dataset[object]) -> None: ...

    def __init__(self, *datasets: Dataset[object]) -> None:
        if not datasets:
            raise ValueError("TupleDataset: no datasets are given")
        length = len(datasets[0])
        for i, dataset in enumerate(datasets):
            if len(dataset) != length:
                raise ValueError(
                    f"TupleDataset: dataset {i} has length {len(dataset)} but dataset 0 "
                    f"has length {length}; all datasets must have the same length"
                )
        self._datasets = datasets
        self._length = length

    @property
    def datasets(self) -> tuple[Dataset[object], ...]:
        """The zipped datasets, in order."""
        return self._datasets

    @overload
    def __getitem__(  # type: ignore[overload-overlap]  # ndarray has __index__ in the stubs; a >0-d array is a multi-index
        self, index: MultiIndex, /
    ) -> list[T_co]: ...

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> T_co: ...

    def __getitem__(self, index: Index, /) -> T_co | list[T_co]:
        if is_multi_index(index):
            columns = [_take(d, index) for d in self._datasets]
            n = len(columns[0])
            return [cast(T_co, tuple(col[j] for col in columns)) for j in range(n)]
        return self.get_example(index.__index__())

    def get_example(self, i: int) -> T_co:
        return cast(T_co, tuple(d[i] for d in self._datasets))

    def __len__(self) -> int:
        return self._length

    def _fchain_array_columns(self) -> ArrayColumns | None:
        """The columns, when every one is a numeric numpy array and ``self`` is a plain
        ``TupleDataset`` (a subclass may redefine its examples): the iterators' fast
        path (see ``fchain.dataset._batch``)."""
        if type(self) is not TupleDataset or not all(gatherable(d) for d in self._datasets):
            return None
        return ArrayColumns("tuple", cast(tuple[Any, ...], self._datasets))

    def __repr__(self) -> str:
        return f"TupleDataset(<{len(self._datasets)} datasets of length {self._length}>)"


def _take(dataset: Dataset[Any], index: MultiIndex) -> Any:
    """``dataset[index]`` for a multi-index, falling back to one read per position
    for datasets (such as lists) that only take integers or slices."""
    if isinstance(dataset, (numpy.ndarray, DatasetMixin)):
        return dataset[index]
    if isinstance(index, slice):
        if isinstance(dataset, (list, tuple)):
            return dataset[index]
        return [dataset[i] for i in range(*index.indices(len(dataset)))]
    return [dataset[int(i)] for i in index]
