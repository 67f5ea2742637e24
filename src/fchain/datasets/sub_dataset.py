"""``SubDataset`` and the splitting helpers built on it (Chainer's semantics).

Random splits: an int ``seed`` (or ``None``) draws the permutation with
``numpy.random.RandomState(seed).permutation``, exactly as Chainer does, so a seed
selects the same examples in both frameworks.  A ``numpy.random.Generator`` (or a
``RandomState``) may be passed instead of a seed.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TypeAlias, TypeVar

import numpy

from fchain.dataset.dataset_mixin import Dataset, DatasetMixin
from fchain.types import Array

__all__ = [
    "SeedLike",
    "SubDataset",
    "get_cross_validation_datasets",
    "get_cross_validation_datasets_random",
    "split_dataset",
    "split_dataset_n",
    "split_dataset_n_random",
    "split_dataset_random",
]

E = TypeVar("E")

SeedLike: TypeAlias = int | numpy.random.Generator | numpy.random.RandomState | None
"""What the random splitters accept as their source of randomness."""

OrderLike: TypeAlias = Sequence[int] | Array


def _check_int(fn: str, name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)):
        raise TypeError(f"{fn}: {name} must be int, got {type(value).__name__} instead")
    return int(value)


def _as_order(fn: str, order: OrderLike | None, length: int) -> Array | None:
    if order is None:
        return None
    arr = numpy.asarray(order)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(
            f"{fn}: order must be a 1-d sequence of ints, got shape {arr.shape} and dtype "
            f"{arr.dtype}"
        )
    if len(arr) != length:
        raise ValueError(
            f"{fn}: order option must have the same length as the base dataset: "
            f"len(order) = {len(arr)} while len(dataset) = {length}"
        )
    return arr


def _permutation(fn: str, n: int, seed: SeedLike) -> Array:
    if seed is None or isinstance(seed, (int, numpy.integer)):
        if isinstance(seed, bool):
            raise TypeError(f"{fn}: seed must be an int, a Generator or None, got a bool")
        return numpy.random.RandomState(seed).permutation(n)
    if isinstance(seed, (numpy.random.Generator, numpy.random.RandomState)):
        return seed.permutation(n)
    raise TypeError(
        f"{fn}: seed must be an int, a numpy.random.Generator, a RandomState or None, "
        f"got {type(seed).__name__}"
    )


class SubDataset(DatasetMixin[E]):
    """Examples ``start`` (inclusive) to ``finish`` (exclusive) of ``dataset``, read
    through ``order`` when it is given: the ``i``-th example is
    ``dataset[order[start + i]]``.  A negative ``i`` counts from ``finish``."""

    def __init__(
        self, dataset: Dataset[E], start: int, finish: int, order: OrderLike | None = None
    ) -> None:
        start = _check_int("SubDataset", "start", start)
        finish = _check_int("SubDataset", "finish", finish)
        if start < 0 or finish > len(dataset) or start > finish:
            raise ValueError(
                f"SubDataset: subset overruns the base dataset: start={start}, "
                f"finish={finish}, len(dataset)={len(dataset)}"
            )
        self._dataset = dataset
        self._start = start
        self._finish = finish
        self._size = finish - start
        self._order = _as_order("SubDataset", order, len(dataset))

    def __len__(self) -> int:
        return self._size

    def get_example(self, i: int) -> E:
        if i >= 0:
            if i >= self._size:
                raise IndexError(f"SubDataset: index {i} out of range for length {self._size}")
            index = self._start + i
        else:
            if i < -self._size:
                raise IndexError(f"SubDataset: index {i} out of range for length {self._size}")
            index = self._finish + i
        if self._order is not None:
            index = int(self._order[index])
        return self._dataset[index]

    def __repr__(self) -> str:
        return (
            f"SubDataset(start={self._start}, finish={self._finish}, "
            f"ordered={self._order is not None})"
        )


def split_dataset(
    dataset: Dataset[E], split_at: int, order: OrderLike | None = None
) -> tuple[SubDataset[E], SubDataset[E]]:
    """``(examples order[:split_at], examples order[split_at:])``."""
    n_examples = len(dataset)
    split_at = _check_int("split_dataset", "split_at", split_at)
    if split_at < 0:
        raise ValueError(f"split_dataset: split_at must be non-negative, got {split_at}")
    if split_at > n_examples:
        raise ValueError(
            f"split_dataset: split_at exceeds the dataset size: {split_at} > {n_examples}"
        )
    return (
        SubDataset(dataset, 0, split_at, order),
        SubDataset(dataset, split_at, n_examples, order),
    )


def split_dataset_random(
    dataset: Dataset[E], first_size: int, seed: SeedLike = None
) -> tuple[SubDataset[E], SubDataset[E]]:
    """Split at ``first_size`` after a random permutation (see the module docstring
    for ``seed``)."""
    order = _permutation("split_dataset_random", len(dataset), seed)
    return split_dataset(dataset, first_size, order)


def split_dataset_n(
    dataset: Dataset[E], n: int, order: OrderLike | None = None
) -> list[SubDataset[E]]:
    """``n`` subsets of ``len(dataset) // n`` examples each (the remainder is left
    out, as in Chainer)."""
    n = _check_int("split_dataset_n", "n", n)
    if n <= 0:
        raise ValueError(f"split_dataset_n: n must be positive, got {n}")
    sub_size = len(dataset) // n
    return [SubDataset(dataset, sub_size * i, sub_size * (i + 1), order) for i in range(n)]


def split_dataset_n_random(
    dataset: Dataset[E], n: int, seed: SeedLike = None
) -> list[SubDataset[E]]:
    """``split_dataset_n`` after a random permutation."""
    order = _permutation("split_dataset_n_random", len(dataset), seed)
    return split_dataset_n(dataset, n, order)


def get_cross_validation_datasets(
    dataset: Dataset[E],
    n_folds: int | None = None,
    order: OrderLike | None = None,
    *,
    n_fold: int | None = None,
) -> list[tuple[SubDataset[E], SubDataset[E]]]:
    """``n_folds`` (train, test) splits: the test sets are disjoint, cover the whole
    dataset and differ in size by at most one.  ``n_fold`` is Chainer's deprecated
    spelling."""
    n_folds = _resolve_folds("get_cross_validation_datasets", n_folds, n_fold)
    whole = len(dataset)
    if order is None:
        current = numpy.arange(whole)
    else:
        given = _as_order("get_cross_validation_datasets", order, whole)
        assert given is not None
        current = numpy.array(given)
    borders = [whole * i // n_folds for i in range(n_folds + 1)]
    test_sizes = [borders[i + 1] - borders[i] for i in range(n_folds)]
    splits = []
    for test_size in reversed(test_sizes):
        splits.append(split_dataset(dataset, whole - test_size, current))
        # Rotate right by test_size: the next fold's test set is the block just
        # before this one's.
        current = numpy.roll(current, test_size)
    return splits


def get_cross_validation_datasets_random(
    dataset: Dataset[E],
    n_folds: int | None = None,
    seed: SeedLike = None,
    *,
    n_fold: int | None = None,
) -> list[tuple[SubDataset[E], SubDataset[E]]]:
    """``get_cross_validation_datasets`` after a random permutation."""
    n_folds = _resolve_folds("get_cross_validation_datasets_random", n_folds, n_fold)
    order = _permutation("get_cross_validation_datasets_random", len(dataset), seed)
    return get_cross_validation_datasets(dataset, n_folds, order)


def _resolve_folds(fn: str, n_folds: int | None, n_fold: int | None) -> int:
    if n_fold is not None:
        warnings.warn(
            f"{fn}: argument n_fold is deprecated; use n_folds instead",
            DeprecationWarning,
            stacklevel=3,
        )
        if n_folds is not None and n_folds != n_fold:
            raise ValueError(f"{fn}: n_folds={n_folds} and n_fold={n_fold} disagree")
        n_folds = n_fold
    if n_folds is None:
        raise TypeError(f"{fn}: missing argument n_folds")
    n_folds = _check_int(fn, "n_folds", n_folds)
    if n_folds <= 0:
        raise ValueError(f"{fn}: n_folds must be positive, got {n_folds}")
    return n_folds
