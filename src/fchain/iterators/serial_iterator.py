"""``SerialIterator``: reads the examples of each batch in the calling thread."""

from __future__ import annotations

from typing import TypeVar

from fchain.dataset._batch import ArrayColumns, ColumnBatch, array_columns
from fchain.dataset.dataset_mixin import Dataset
from fchain.iterators._base import StatefulIterator
from fchain.iterators._statemachine import OrderSamplerLike, advance
from fchain.iterators.order_samplers import RandomSource
from fchain.types import Array

__all__ = ["SerialIterator"]

E = TypeVar("E")


class SerialIterator(StatefulIterator[E]):
    """Dataset iterator that reads examples one by one, in index order or shuffled.

    Args:
        dataset: the dataset to iterate.
        batch_size: examples per batch.
        repeat: loop over the dataset forever; else stop after one epoch (the last
            batch may be smaller).
        shuffle: shuffle every epoch.  ``None`` (default) shuffles unless an
            ``order_sampler`` is given.
        order_sampler: ``sampler(current_order, current_position)`` returning the
            next epoch's order; exclusive with ``shuffle``.
        seed: (fchain) seed, ``numpy.random.Generator`` or ``RandomState`` for the
            built-in shuffling; ``None`` uses numpy's global ``RandomState`` as
            Chainer does.  A seed makes iteration reproducible, and is saved in
            snapshots so resuming continues the same sequence.
    """

    def __init__(
        self,
        dataset: Dataset[E],
        batch_size: int,
        repeat: bool = True,
        shuffle: bool | None = None,
        order_sampler: OrderSamplerLike | None = None,
        *,
        seed: RandomSource = None,
    ) -> None:
        super().__init__(
            "SerialIterator", dataset, batch_size, repeat, shuffle, order_sampler, seed
        )
        # The dataset whose columns were last looked up, and those columns.
        self._columns_of: object = None
        self._columns: ArrayColumns | None = None
        self._verified_order: tuple[Array, int] | None = None
        self.reset()

    def __next__(self) -> list[E]:
        self._previous_epoch_detail = self.epoch_detail
        dataset = self.dataset
        n = len(dataset)
        old_order = self._state.order
        self._state, indices = advance(
            self._state, self.batch_size, self._repeat, self.order_sampler, n
        )
        if indices is None:
            raise StopIteration
        if dataset is not self._columns_of:
            self._columns_of = dataset
            self._columns = array_columns(dataset)
        columns = self._columns
        if (columns is not None and self._in_range(old_order, n)
                and self._in_range(self._state.order, n)):
            # An array-backed dataset: the same list of examples, read lazily, which
            # concat_examples gathers column by column (fchain.dataset._batch).  The
            # indices are copied: an order sampler may reuse its order array.
            # Without an order, a batch that does not wrap around is one slice.
            contiguous = old_order is None and int(indices[-1]) - int(indices[0]) == len(indices) - 1
            return ColumnBatch(dataset, indices.copy(), columns, contiguous)
        return [dataset[i] for i in indices.tolist()]

    def _in_range(self, order: Array | None, n: int) -> bool:
        """Whether every index of ``order`` is valid for a dataset of length ``n`` (so
        a lazy batch cannot defer an IndexError the plain path raises here); checked
        once per order array."""
        if order is None:
            return True
        verified = self._verified_order
        if verified is not None and verified[0] is order and verified[1] == n:
            return True
        ok = order.size == 0 or (int(order.min()) >= -n and int(order.max()) < n)
        if ok:
            self._verified_order = (order, n)
        return ok

    def reset(self) -> None:
        """Back to the first epoch (a new order is drawn when shuffling)."""
        self._reset_state()

    def __repr__(self) -> str:
        return (
            f"SerialIterator(batch_size={self.batch_size}, repeat={self._repeat}, "
            f"epoch={self.epoch}, current_position={self.current_position})"
        )
