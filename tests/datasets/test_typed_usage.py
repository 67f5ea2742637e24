"""Chainer-style data code, checked by mypy --strict (this file is in mypy's files)
and run by pytest: the public types flow from datasets through iterators and
converters without casts."""

from __future__ import annotations

import numpy

import fchain
from fchain.dataset import concat_examples
from fchain.datasets import DictDataset, TupleDataset, split_dataset_random
from fchain.iterators import SerialIterator
from fchain.types import Array


def test_tuple_dataset_to_arrays() -> None:
    x = numpy.arange(12, dtype=numpy.float32).reshape(6, 2)
    t = numpy.arange(6, dtype=numpy.int32)
    train, valid = split_dataset_random(TupleDataset(x, t), 4, seed=0)
    it = SerialIterator(train, 3, shuffle=False)
    batch = it.next()
    xs, ts = concat_examples(batch)  # tuple[Array, Array]
    assert xs.shape == (3, 2) and ts.dtype == numpy.int32
    assert len(valid) == 2
    y = fchain.Variable(xs)
    assert y.shape == (3, 2)


def test_dict_dataset_and_plain_arrays() -> None:
    ds = DictDataset(a=numpy.ones((4, 2)), b=numpy.zeros((4,)))
    out = concat_examples(SerialIterator(ds, 2, shuffle=False).next())  # dict[str, Array]
    assert out["a"].shape == (2, 2)
    single: Array = concat_examples([numpy.ones(3), numpy.zeros(3)])
    assert single.shape == (2, 3)
