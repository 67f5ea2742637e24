"""``TransformDataset``: a dataset whose examples pass through a function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from fchain.dataset.dataset_mixin import Dataset, DatasetMixin

__all__ = ["TransformDataset"]

E = TypeVar("E")
R = TypeVar("R")


class TransformDataset(DatasetMixin[R], Generic[E, R]):
    """``TransformDataset(dataset, f)[i] == f(dataset[i])``, computed on every read
    (nothing is cached), so ``f`` may be random (data augmentation)."""

    def __init__(self, dataset: Dataset[E], transform: Callable[[E], R]) -> None:
        if not callable(transform):
            raise TypeError(
                f"TransformDataset: transform must be callable, got {type(transform).__name__}"
            )
        self._dataset = dataset
        self._transform = transform

    def __len__(self) -> int:
        return len(self._dataset)

    def get_example(self, i: int) -> R:
        return self._transform(self._dataset[i])
