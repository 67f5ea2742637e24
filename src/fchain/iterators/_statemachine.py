"""The pure core of every fchain iterator: given where an iterator is, the indices
of its next batch and where it will be afterwards (Chainer's order semantics).

- An epoch is one pass over ``order`` (or over ``range(len(dataset))`` without one).
- A batch that reaches the end of an epoch asks the order sampler for the next
  epoch's order, with the position at which the epoch ended.  With ``repeat=True`` it
  is filled up from the start of the next epoch (several epochs if the batch is
  larger than the dataset); with ``repeat=False`` it is cut short, and the iterator
  stops after it.
- ``is_new_epoch`` is true exactly for the batches that completed an epoch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import numpy

from fchain.types import Array

__all__ = ["IteratorState", "OrderSamplerLike", "advance", "initial_state"]

OrderSamplerLike: TypeAlias = Callable[[Array, int], Array]
"""``sampler(current_order, current_position) -> next epoch's order``."""


@dataclass(frozen=True, slots=True)
class IteratorState:
    current_position: int
    epoch: int
    is_new_epoch: bool
    order: Array | None


def initial_state(order_sampler: OrderSamplerLike | None, dataset_len: int) -> IteratorState:
    """The state of a fresh (or reset) iterator: the sampler gives the first order.
    Its length is the epoch size from then on (it may differ from the dataset's, e.g.
    to over- or under-sample)."""
    order = None
    if order_sampler is not None:
        order = _check_order(order_sampler(numpy.arange(dataset_len), 0), None)
    return IteratorState(0, 0, False, order)


def _check_order(order: object, expected: int | None) -> Array:
    arr = numpy.asarray(order)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(
            f"order sampler: an order must be a 1-d array of ints, got shape {arr.shape} "
            f"and dtype {arr.dtype}"
        )
    if expected is not None and len(arr) != expected:
        raise ValueError(
            "order sampler: the size of order does not match the size of the previous "
            f"order: {len(arr)} != {expected}"
        )
    return arr


def epoch_size(state: IteratorState, dataset_len: int) -> int:
    return dataset_len if state.order is None else len(state.order)


def advance(
    state: IteratorState,
    batch_size: int,
    repeat: bool,
    order_sampler: OrderSamplerLike | None,
    dataset_len: int,
) -> tuple[IteratorState, Array | None]:
    """``(next state, indices of the next batch)``; ``None`` indices: stop."""
    position, epoch, order = state.current_position, state.epoch, state.order
    if not repeat and epoch > 0:
        return state, None
    n = epoch_size(state, dataset_len)
    if n == 0:
        if repeat:
            raise ValueError(
                "iterator: the dataset is empty; an iterator that repeats needs at least "
                "one example per epoch"
            )
        return IteratorState(0, epoch + 1, True, order), None
    end = position + batch_size if repeat else min(position + batch_size, n)
    pieces: list[Array] = []
    new_epoch = False
    while end >= n:
        pieces.append(_span(order, position, n))
        if order is not None and order_sampler is not None:
            order = _check_order(order_sampler(order, position), len(order))
        position = 0
        end = end - n if repeat else 0
        epoch += 1
        new_epoch = True
    pieces.append(_span(order, position, end))
    indices = pieces[0] if len(pieces) == 1 else numpy.concatenate(pieces)
    return IteratorState(end, epoch, new_epoch, order), indices


def _span(order: Array | None, start: int, stop: int) -> Array:
    if order is None:
        return numpy.arange(start, stop, dtype=numpy.intp)
    return order[start:stop]
