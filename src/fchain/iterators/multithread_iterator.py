"""``MultithreadIterator``: reads the examples of each batch with worker threads."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TypeVar

from fchain.dataset.dataset_mixin import Dataset
from fchain.iterators._prefetch import PrefetchIterator, read_examples
from fchain.iterators._statemachine import OrderSamplerLike
from fchain.iterators.order_samplers import RandomSource

__all__ = ["MultithreadIterator"]

E = TypeVar("E")


class MultithreadIterator(PrefetchIterator[E]):
    """Dataset iterator that reads examples with ``n_threads`` threads and prefetches
    the next batch while the current one is used.  It yields exactly the batches a
    ``SerialIterator`` with the same arguments would.

    Snapshots use Chainer's keys for this iterator (the order under ``_order``).
    ``finalize()`` (or leaving a ``with`` block) stops the threads.
    """

    _order_key = "_order"
    _order_fallback_key = "order"

    def __init__(
        self,
        dataset: Dataset[E],
        batch_size: int,
        repeat: bool = True,
        shuffle: bool | None = None,
        n_threads: int = 1,
        order_sampler: OrderSamplerLike | None = None,
        *,
        seed: RandomSource = None,
    ) -> None:
        super().__init__(
            "MultithreadIterator", dataset, batch_size, repeat, shuffle, order_sampler, seed,
            n_threads, 1,
        )
        self.n_threads = n_threads

    def _make_executor(self) -> Executor:
        return ThreadPoolExecutor(
            max_workers=self._n_workers, thread_name_prefix="fchain-MultithreadIterator"
        )

    def _reader(self) -> Callable[[list[int]], list[E]]:
        return functools.partial(read_examples, self.dataset)
