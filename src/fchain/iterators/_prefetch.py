"""The shared machinery of MultithreadIterator and MultiprocessIterator.

The main thread decides every batch with the same pure state machine as
SerialIterator (so, given the same order sampler, all three iterators yield the
same batches); workers only read examples.  Up to ``n_prefetch`` batches are read
ahead.  Reading ahead may call the order sampler early, so each read-ahead batch
remembers the sampler's generator state from before it was planned: ``reset``,
``serialize``, ``finalize`` and worker errors drop the read-ahead batches and rewind
the generator, which keeps a seeded run identical to SerialIterator's, snapshots
included.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fchain.dataset.dataset_mixin import Dataset
from fchain.facade.serializer import AbstractSerializer
from fchain.iterators._base import StatefulIterator
from fchain.iterators._statemachine import IteratorState, OrderSamplerLike, advance
from fchain.iterators.order_samplers import RandomSource, ShuffleOrderSampler

__all__ = ["PrefetchIterator", "read_examples"]

E = TypeVar("E")


def read_examples(dataset: Dataset[E], indices: Sequence[int]) -> list[E]:
    return [dataset[i] for i in indices]


@dataclass
class _Planned(Generic[E]):
    state: IteratorState
    """The iterator's state once this batch is consumed."""
    stop: bool
    futures: list[Future[list[E]]] = field(default_factory=list)
    sampler_state: dict[str, Any] | None = None
    """The order sampler's generator state before this batch was planned."""


class PrefetchIterator(StatefulIterator[E]):
    """Reads batches ahead with an ``Executor`` made by ``_make_executor``."""

    def __init__(
        self,
        name: str,
        dataset: Dataset[E],
        batch_size: int,
        repeat: bool,
        shuffle: bool | None,
        order_sampler: OrderSamplerLike | None,
        seed: RandomSource,
        n_workers: int,
        n_prefetch: int,
    ) -> None:
        super().__init__(name, dataset, batch_size, repeat, shuffle, order_sampler, seed)
        if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers <= 0:
            raise ValueError(f"{name}: the number of workers must be a positive int, got {n_workers!r}")
        self._n_workers = n_workers
        self._n_prefetch = max(int(n_prefetch), 1)
        self._executor: Executor | None = None
        self._planned: deque[_Planned[E]] = deque()
        self._ahead = self._state
        self._reset_state()
        self._ahead = self._state

    # --------------------------------------------------------------- for subclasses
    def _make_executor(self) -> Executor:
        raise NotImplementedError

    def _reader(self) -> Callable[[list[int]], list[E]]:
        """The function a worker runs on a chunk of indices."""
        raise NotImplementedError

    def _wait(self, future: Future[list[E]]) -> list[E]:
        return future.result()

    def _shutdown(self, executor: Executor) -> None:
        executor.shutdown(wait=False, cancel_futures=True)

    # --------------------------------------------------------------- planning
    def _sampler_state(self) -> dict[str, Any] | None:
        sampler = self.order_sampler
        if isinstance(sampler, ShuffleOrderSampler):
            return sampler.get_rng_state()
        return None

    def _plan_one(self) -> None:
        sampler_state = self._sampler_state()
        state, indices = advance(
            self._ahead, self.batch_size, self._repeat, self.order_sampler, len(self.dataset)
        )
        planned: _Planned[E] = _Planned(state, indices is None, sampler_state=sampler_state)
        self._ahead = state
        self._planned.append(planned)
        if indices is None:
            return
        if self._executor is None:
            self._executor = self._make_executor()
        flat = indices.tolist()
        chunk = max(1, math.ceil(len(flat) / (4 * self._n_workers)))
        reader = self._reader()
        for start in range(0, len(flat), chunk):
            planned.futures.append(self._executor.submit(reader, flat[start:start + chunk]))

    def _fill(self) -> None:
        while len(self._planned) < self._n_prefetch and not (
            self._planned and self._planned[-1].stop
        ):
            self._plan_one()

    def _drop_planned(self) -> None:
        """Forget the read-ahead batches and rewind the sampler to before them."""
        if self._planned:
            first = self._planned[0]
            for p in self._planned:
                for f in p.futures:
                    f.cancel()
            sampler = self.order_sampler
            if isinstance(sampler, ShuffleOrderSampler) and first.sampler_state is not None:
                sampler.set_rng_state(first.sampler_state)
            self._planned.clear()
        self._ahead = self._state

    # --------------------------------------------------------------- protocol
    def __next__(self) -> list[E]:
        if not self._planned:
            self._plan_one()
        planned = self._planned[0]
        if planned.stop:
            self._planned.popleft()
            self._previous_epoch_detail = self.epoch_detail
            self._state = planned.state
            raise StopIteration
        try:
            batch: list[E] = []
            for f in planned.futures:
                batch.extend(self._wait(f))
        except BaseException:
            self._drop_planned()
            raise
        self._planned.popleft()
        self._previous_epoch_detail = self.epoch_detail
        self._state = planned.state
        self._fill()
        return batch

    def reset(self) -> None:
        """Back to the first epoch; read-ahead batches are dropped."""
        self._drop_planned()
        self._reset_state()
        self._ahead = self._state

    def serialize(self, serializer: AbstractSerializer) -> None:
        self._drop_planned()
        super().serialize(serializer)
        self._ahead = self._state

    def finalize(self) -> None:
        """Stop the workers (idempotent; the next batch starts new ones)."""
        self._drop_planned()
        executor, self._executor = self._executor, None
        if executor is not None:
            self._shutdown(executor)

    def __del__(self) -> None:
        try:
            self.finalize()
        except Exception:  # never raise from a finalizer, e.g. at interpreter exit
            pass
