"""Chainer's ``chainer.iterators``: dataset iterators and order samplers.

All iterators share one pure state machine, so ``SerialIterator``,
``MultithreadIterator`` and ``MultiprocessIterator`` built with the same arguments
(and the same seed) yield the same batches.
"""

from __future__ import annotations

from fchain.iterators import multiprocess_iterator as multiprocess_iterator
from fchain.iterators import multithread_iterator as multithread_iterator
from fchain.iterators import order_samplers as order_samplers
from fchain.iterators import serial_iterator as serial_iterator
from fchain.iterators._statemachine import OrderSamplerLike as OrderSamplerLike
from fchain.iterators.multiprocess_iterator import MultiprocessIterator as MultiprocessIterator
from fchain.iterators.multithread_iterator import MultithreadIterator as MultithreadIterator
from fchain.iterators.order_samplers import OrderSampler as OrderSampler
from fchain.iterators.order_samplers import RandomSource as RandomSource
from fchain.iterators.order_samplers import ShuffleOrderSampler as ShuffleOrderSampler
from fchain.iterators.serial_iterator import SerialIterator as SerialIterator

__all__ = [
    "MultiprocessIterator",
    "MultithreadIterator",
    "OrderSampler",
    "OrderSamplerLike",
    "RandomSource",
    "SerialIterator",
    "ShuffleOrderSampler",
    "multiprocess_iterator",
    "multithread_iterator",
    "order_samplers",
    "serial_iterator",
]
