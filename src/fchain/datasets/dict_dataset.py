"""``DictDataset``: several equal-length datasets zipped into dicts."""

from __future__ import annotations

from typing import Any, SupportsIndex, TypeVar, cast, overload

import numpy

from fchain.dataset._batch import ArrayColumns, gatherable
from fchain.dataset.dataset_mixin import (
    Dataset,
    DatasetMixin,
    Index,
    MultiIndex,
    is_multi_index,
)
from fchain.datasets.tuple_dataset import _take

__all__ = ["DictDataset"]

V = TypeVar("V")


class DictDataset(DatasetMixin[dict[str, V]]):
    """``DictDataset(x=xs, t=ts)[i] == {'x': xs[i], 't': ts[i]}``; a slice returns a
    list of such dicts."""

    def __init__(self, **datasets: Dataset[V]) -> None:
        if not datasets:
            raise ValueError("DictDataset: no datasets are given")
        length: int | None = None
        first = ""
        for key, dataset in datasets.items():
            if length is None:
                length, first = len(dataset), key
            elif len(dataset) != length:
                raise ValueError(
                    f"DictDataset: dataset {key!r} has length {len(dataset)} but dataset "
                    f"{first!r} has length {length}; all datasets must have the same length"
                )
        self._datasets = dict(datasets)
        self._length = length or 0

    @property
    def datasets(self) -> dict[str, Dataset[V]]:
        """The zipped datasets by key."""
        return dict(self._datasets)

    @overload
    def __getitem__(  # type: ignore[overload-overlap]  # ndarray has __index__ in the stubs; a >0-d array is a multi-index
        self, index: MultiIndex, /
    ) -> list[dict[str, V]]: ...

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> dict[str, V]: ...

    def __getitem__(self, index: Index, /) -> dict[str, V] | list[dict[str, V]]:
        if is_multi_index(index):
            columns = {k: _take(d, index) for k, d in self._datasets.items()}
            n = len(next(iter(columns.values())))
            return [{k: col[j] for k, col in columns.items()} for j in range(n)]
        return self.get_example(index.__index__())

    def get_example(self, i: int) -> dict[str, V]:
        return {k: d[i] for k, d in self._datasets.items()}

    def __len__(self) -> int:
        return self._length

    def _fchain_array_columns(self) -> ArrayColumns | None:
        """The columns, when every one is a numeric numpy array and ``self`` is a plain
        ``DictDataset``: the iterators' fast path (see ``fchain.dataset._batch``)."""
        if type(self) is not DictDataset or not all(gatherable(d) for d in self._datasets.values()):
            return None
        arrays = cast("tuple[numpy.ndarray[Any, Any], ...]", tuple(self._datasets.values()))
        return ArrayColumns("dict", arrays, tuple(self._datasets))

    def __repr__(self) -> str:
        return f"DictDataset(keys={list(self._datasets)}, length={self._length})"
