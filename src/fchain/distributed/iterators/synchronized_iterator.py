"""``create_synchronized_iterator``: the same shuffled order on every rank.

Where every rank holds the whole dataset, broadcasting batches is needless: one
seed, drawn on rank 0 and broadcast, gives every rank's iterator the same
``ShuffleOrderSampler``, so they draw the same batches without communicating.
"""

from __future__ import annotations

from typing import TypeVar

import numpy

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.iterators.order_samplers import ShuffleOrderSampler

__all__ = ["create_synchronized_iterator"]

It = TypeVar("It")


def create_synchronized_iterator(actual_iterator: It, communicator: CommunicatorBase) -> It:
    """``actual_iterator`` (which has an ``order_sampler``, as ``SerialIterator``
    does), reset with an order sampler seeded the same on every rank; returned
    itself.  Collective."""
    if not hasattr(actual_iterator, "order_sampler"):
        raise ValueError("actual_iterator must have order_sampler")
    seed = int(numpy.random.randint(0, 2**31 - 1)) if communicator.rank == 0 else None
    seed = communicator.bcast_obj(seed, root=0)
    setattr(actual_iterator, "order_sampler", ShuffleOrderSampler(numpy.random.RandomState(seed)))
    reset = getattr(actual_iterator, "reset", None)
    if reset is not None:
        reset()
    return actual_iterator
