"""``ConcatenatedDataset``: datasets one after another."""

from __future__ import annotations

import bisect
import itertools
from typing import TypeVar

from fchain.dataset.dataset_mixin import Dataset, DatasetMixin

__all__ = ["ConcatenatedDataset"]

E = TypeVar("E")


class ConcatenatedDataset(DatasetMixin[E]):
    """The examples of ``datasets[0]``, then those of ``datasets[1]``, and so on.
    Negative indices count from the end."""

    def __init__(self, *datasets: Dataset[E]) -> None:
        self._datasets = datasets
        self._ends = list(itertools.accumulate(len(d) for d in datasets))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def get_example(self, i: int) -> E:
        n = len(self)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise IndexError(f"ConcatenatedDataset: index {i} out of range for length {n}")
        k = bisect.bisect_right(self._ends, j)
        start = self._ends[k - 1] if k else 0
        return self._datasets[k][j - start]
