"""``scatter_dataset``: each rank's share of a dataset that only the root loads.

The root broadcasts the dataset (pickled, in chunks of ``max_buf_len`` bytes) and,
with ``shuffle``, one permutation of its indices; every rank then takes its slice
as a ``SubDataset``.  With ``force_equal_length`` (the default, which updaters and
evaluators need: every rank must run the same number of iterations) the slices
have equal lengths and overlap when the length does not divide; without it they
partition the dataset exactly, their lengths differing by at most one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import numpy

from fchain.dataset.dataset_mixin import Dataset
from fchain.datasets.sub_dataset import SubDataset
from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.distributed.errors import DistributedError
from fchain.types import Array

__all__ = ["DataSizeError", "scatter_dataset", "scatter_index"]

E = TypeVar("E")


class DataSizeError(DistributedError):
    """The dataset cannot be scattered (it is empty)."""


def _slices(n: int, size: int, force_equal_length: bool) -> Iterator[tuple[int, int]]:
    """``(begin, end)`` of each rank's slice of ``n`` examples."""
    if force_equal_length:
        length = -(-n // size)
        for i in range(size):
            begin = n * i // size
            yield begin, begin + length
        return
    begin = 0
    for i in range(size):
        length = n // size + (1 if i < n % size else 0)
        yield begin, begin + length
        begin += length


def scatter_index(n_total_samples: int, comm: CommunicatorBase, root: int = 0, *,
                  force_equal_length: bool = True) -> tuple[int, int]:
    """``(begin, end)`` of this rank's share of ``n_total_samples`` indices (the
    root's count decides)."""
    n = comm.bcast_obj(n_total_samples if comm.rank == root else None, root=root)
    if n <= 0:
        raise DataSizeError(f"scatter_index: there are {n} examples to scatter over "
                            f"{comm.size} ranks")
    return list(_slices(n, comm.size, force_equal_length))[comm.rank]


def scatter_dataset(dataset: Dataset[E] | None, comm: CommunicatorBase, root: int = 0,
                    shuffle: bool = False, seed: int | None = None,
                    max_buf_len: int = 256 * 1024 * 1024, *,
                    force_equal_length: bool = True) -> SubDataset[E]:
    """This rank's share of the root's ``dataset`` (the other ranks pass ``None``).

    Args:
        dataset: the whole dataset, on ``root``; ignored elsewhere.
        comm: the communicator whose ranks share it.
        root: the rank that has the dataset.
        shuffle: scatter a random permutation of the examples (drawn on the root
            with ``numpy.random.RandomState(seed)``, as in ChainerMN).
        seed: the permutation's seed.
        max_buf_len: the largest piece, in bytes, the pickled dataset is sent in.
        force_equal_length: equal lengths on every rank (slices overlap when the
            length does not divide); ``False``: an exact partition.
    """
    if comm.rank == root:
        if dataset is None:
            raise TypeError("scatter_dataset: the root rank must pass the dataset, got None")
        order: Array | None = (numpy.random.RandomState(seed).permutation(len(dataset))
                               if shuffle else None)
        payload: tuple[Dataset[E], Array | None] | None = (dataset, order)
    else:
        payload = None
    whole, order = comm.bcast_obj(payload, max_buf_len=max_buf_len, root=root)
    n = len(whole)
    if n == 0:
        raise DataSizeError(f"scatter_dataset: the dataset of rank {root} is empty")
    begin, end = list(_slices(n, comm.size, force_equal_length))[comm.rank]
    return SubDataset(whole, begin, end, order)
