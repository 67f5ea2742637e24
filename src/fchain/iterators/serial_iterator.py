"""``SerialIterator``: reads the examples of each batch in the calling thread."""

from __future__ import annotations

from typing import TypeVar

from fchain.dataset.dataset_mixin import Dataset
from fchain.iterators._base import StatefulIterator
from fchain.iterators._statemachine import OrderSamplerLike, advance
from fchain.iterators.order_samplers import RandomSource

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
        self.reset()

    def __next__(self) -> list[E]:
        self._previous_epoch_detail = self.epoch_detail
        self._state, indices = advance(
            self._state, self.batch_size, self._repeat, self.order_sampler, len(self.dataset)
        )
        if indices is None:
            raise StopIteration
        dataset = self.dataset
        return [dataset[i] for i in indices.tolist()]

    def reset(self) -> None:
        """Back to the first epoch (a new order is drawn when shuffling)."""
        self._reset_state()

    def __repr__(self) -> str:
        return (
            f"SerialIterator(batch_size={self.batch_size}, repeat={self._repeat}, "
            f"epoch={self.epoch}, current_position={self.current_position})"
        )
