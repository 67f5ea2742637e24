"""What SerialIterator, MultithreadIterator and MultiprocessIterator share: argument
checks, the epoch bookkeeping and Chainer's snapshot keys."""

from __future__ import annotations

from typing import Generic, TypeVar

import numpy

from fchain.dataset.dataset_mixin import Dataset
from fchain.dataset.iterator import Iterator
from fchain.errors import SerializationError
from fchain.facade.serializer import AbstractSerializer
from fchain.iterators._statemachine import (
    IteratorState,
    OrderSamplerLike,
    epoch_size,
    initial_state,
)
from fchain.iterators.order_samplers import RandomSource, ShuffleOrderSampler

__all__ = ["StatefulIterator", "resolve_order_sampler"]

E = TypeVar("E")


def resolve_order_sampler(
    name: str,
    shuffle: bool | None,
    order_sampler: OrderSamplerLike | None,
    seed: RandomSource,
) -> OrderSamplerLike | None:
    """Chainer's rules: ``shuffle=None`` means shuffle unless an ``order_sampler`` is
    given; ``shuffle`` and ``order_sampler`` are exclusive.  ``seed`` (fchain's
    addition) seeds the built-in shuffling."""
    if shuffle is not None:
        if order_sampler is not None:
            raise ValueError(
                f"{name}: `shuffle` is not `None` and a custom `order_sampler` is set. "
                "Please set `shuffle` to `None` to use the custom order sampler."
            )
        if shuffle:
            return ShuffleOrderSampler(seed)
        if seed is not None:
            raise ValueError(f"{name}: seed= has no effect with shuffle=False")
        return None
    if order_sampler is None:
        return ShuffleOrderSampler(seed)
    if seed is not None:
        raise ValueError(
            f"{name}: seed= seeds the built-in shuffling; give your order_sampler its own "
            "random state instead"
        )
    if not callable(order_sampler):
        raise TypeError(
            f"{name}: order_sampler must be callable, got {type(order_sampler).__name__}"
        )
    return order_sampler


def _check_batch_size(name: str, batch_size: object) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, numpy.integer)):
        raise TypeError(f"{name}: batch_size must be an int, got {type(batch_size).__name__}")
    if batch_size <= 0:
        raise ValueError(f"{name}: batch_size must be positive, got {batch_size}")
    return int(batch_size)


class StatefulIterator(Iterator[E], Generic[E]):
    """Epoch bookkeeping over an ``IteratorState``; subclasses implement ``__next__``."""

    _order_key = "order"
    _order_fallback_key = "_order"

    def __init__(
        self,
        name: str,
        dataset: Dataset[E],
        batch_size: int,
        repeat: bool,
        shuffle: bool | None,
        order_sampler: OrderSamplerLike | None,
        seed: RandomSource,
    ) -> None:
        self.dataset: Dataset[E] = dataset
        self.batch_size: int = _check_batch_size(name, batch_size)
        self._repeat = bool(repeat)
        self._shuffle = shuffle
        self.order_sampler: OrderSamplerLike | None = resolve_order_sampler(name, shuffle, order_sampler, seed)
        self._state = IteratorState(0, 0, False, None)
        self._previous_epoch_detail = -1.0

    # ------------------------------------------------------------------ state
    def _reset_state(self) -> None:
        self._state = initial_state(self.order_sampler, len(self.dataset))
        self._previous_epoch_detail = -1.0

    @property
    def repeat(self) -> bool:
        return self._repeat

    @property
    def current_position(self) -> int:
        """Position of the next example within the current epoch's order."""
        return self._state.current_position

    @property
    def epoch(self) -> int:
        return self._state.epoch

    @property
    def is_new_epoch(self) -> bool:
        return self._state.is_new_epoch

    @property
    def epoch_detail(self) -> float:
        # ``_epoch_size`` written out: triggers read this every iteration.
        state = self._state
        order = state.order
        size = len(self.dataset) if order is None else len(order)
        if size == 0:
            return float(state.epoch)
        return state.epoch + state.current_position / size

    @property
    def previous_epoch_detail(self) -> float | None:
        # -1 stands for None internally and in snapshots, as in Chainer.
        if self._previous_epoch_detail < 0:
            return None
        return self._previous_epoch_detail

    @property
    def _epoch_size(self) -> int:
        return epoch_size(self._state, len(self.dataset))

    # ------------------------------------------------------------------ snapshots
    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys: ``current_position``, ``epoch``, ``is_new_epoch``, ``order``
        (only when shuffling or using an order sampler), ``previous_epoch_detail``;
        plus ``order_sampler/rng_state`` for a seeded ``ShuffleOrderSampler``."""
        state = self._state
        position = int(serializer("current_position", state.current_position))
        epoch = int(serializer("epoch", state.epoch))
        is_new_epoch = bool(serializer("is_new_epoch", state.is_new_epoch))
        order = original = state.order
        if original is not None:
            try:
                loaded = serializer(self._order_key, original)
            except KeyError:
                loaded = serializer(self._order_fallback_key, original)
            order = numpy.asarray(loaded)
            if order.shape != original.shape:
                raise SerializationError(
                    f"{type(self).__name__}: the saved order has shape {order.shape} but this "
                    f"iterator's order has shape {original.shape}"
                )
        self._state = IteratorState(position, epoch, is_new_epoch, order)
        try:
            self._previous_epoch_detail = float(
                serializer("previous_epoch_detail", self._previous_epoch_detail)
            )
        except KeyError:
            # Snapshots of old Chainer versions lack it: guess it as Chainer does.
            size = self._epoch_size or 1
            guess = self.epoch + (self.current_position - self.batch_size) / size
            self._previous_epoch_detail = max(guess, 0.0) if self.epoch_detail > 0 else -1.0
        sampler = self.order_sampler
        if isinstance(sampler, ShuffleOrderSampler):
            if sampler.get_rng_state() is not None:
                sampler.serialize(serializer["order_sampler"])
        else:
            sampler_serialize = getattr(sampler, "serialize", None)
            if callable(sampler_serialize):
                sampler_serialize(serializer["order_sampler"])
