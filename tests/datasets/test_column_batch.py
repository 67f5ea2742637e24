"""The lazy batches ``SerialIterator`` returns for array-backed datasets.

A ``ColumnBatch`` must be indistinguishable from the plain list of examples: the
same items through every list operation, and ``concat_examples`` giving the same
arrays (values, dtypes, shapes) as stacking the examples.  The reference in each
test is the plain path itself: the same data as a Python list of examples, which
``SerialIterator`` serves without the fast path.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fchain.dataset import concat_examples
from fchain.dataset._batch import ColumnBatch, array_columns, gatherable
from fchain.datasets import DictDataset, TupleDataset
from fchain.iterators import SerialIterator
from fchain.types import Array


def _columns(n: int) -> tuple[Array, Array]:
    x = numpy.arange(n * 6, dtype=numpy.float32).reshape(n, 2, 3)
    t = (numpy.arange(n) % 4).astype(numpy.int32)
    return x, t


def _assert_same_arrays(got: object, expected: object) -> None:
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected):
            _assert_same_arrays(g, e)
    elif isinstance(expected, dict):
        assert isinstance(got, dict) and list(got) == list(expected)
        for k in expected:
            _assert_same_arrays(got[k], expected[k])
    else:
        assert type(got) is type(expected)
        assert isinstance(got, (numpy.ndarray, numpy.generic))
        assert isinstance(expected, (numpy.ndarray, numpy.generic))
        assert got.dtype == expected.dtype and got.shape == expected.shape
        numpy.testing.assert_array_equal(got, expected)


def _assert_same_examples(got: list[Any], expected: list[Any]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        _assert_same_arrays(g, e)


@given(n=st.integers(1, 9), batch_size=st.integers(1, 12), shuffle=st.booleans(),
       repeat=st.booleans(), seed=st.integers(0, 1000), kind=st.sampled_from(["tuple", "dict", "array"]))
def test_batches_and_their_concatenation_equal_the_plain_path(
        n: int, batch_size: int, shuffle: bool, repeat: bool, seed: int, kind: str) -> None:
    x, t = _columns(n)
    dataset: Any
    if kind == "tuple":
        dataset = TupleDataset(x, t)
    elif kind == "dict":
        dataset = DictDataset(x=x, t=t)
    else:
        dataset = x
    plain = [dataset[i] for i in range(n)]
    seed_or_none = seed if shuffle else None
    lazy_it = SerialIterator(dataset, batch_size, repeat=repeat, shuffle=shuffle, seed=seed_or_none)
    plain_it = SerialIterator(plain, batch_size, repeat=repeat, shuffle=shuffle, seed=seed_or_none)
    for _ in range(6):
        try:
            expected = plain_it.next()
        except StopIteration:
            with pytest.raises(StopIteration):
                lazy_it.next()
            break
        got = lazy_it.next()
        assert type(got) is ColumnBatch and len(got) == len(expected)
        _assert_same_arrays(concat_examples(got), concat_examples(expected))
        # Reading the list afterwards gives the examples themselves.
        _assert_same_examples(list(got), expected)
        assert lazy_it.epoch_detail == plain_it.epoch_detail


def test_padding_and_device_on_the_fast_path() -> None:
    x, t = _columns(5)
    for dataset in (TupleDataset(x, t), DictDataset(x=x, t=t)):
        batch = SerialIterator(dataset, 3, shuffle=False).next()
        expected = concat_examples([dataset[i] for i in range(3)], "@numpy", padding=0)
        _assert_same_arrays(concat_examples(batch, "@numpy", padding=0), expected)
    single = SerialIterator(x, 2, shuffle=False).next()
    _assert_same_arrays(concat_examples(single, padding=-1), concat_examples([x[0], x[1]], padding=-1))
    with pytest.raises(ValueError, match="concat_examples: padding is a tuple or dict"):
        concat_examples(SerialIterator(x, 2, shuffle=False).next(), padding=(0, 1))


def test_an_edited_batch_is_concatenated_as_edited() -> None:
    x, t = _columns(6)
    it = SerialIterator(TupleDataset(x, t), 3, shuffle=False)
    batch = it.next()
    extra = (numpy.full((2, 3), -1.0, dtype=numpy.float32), numpy.int32(9))
    batch.append(extra)
    lazy: object = batch
    assert isinstance(lazy, ColumnBatch) and lazy.gather() is None
    bx, bt = concat_examples(batch)
    assert bx.shape == (4, 2, 3) and bt.tolist() == [0, 1, 2, 9]
    numpy.testing.assert_array_equal(bx[3], extra[0])
    second = it.next()
    second[0] = (x[0], numpy.int32(7))
    assert concat_examples(second)[1].tolist() == [7, 0, 1]


def test_list_operations_behave_as_on_the_plain_list() -> None:
    t = numpy.arange(10, dtype=numpy.int64)

    def fresh() -> list[Any]:
        return SerialIterator(t, 4, shuffle=False).next()

    expected = [t[0], t[1], t[2], t[3]]
    assert fresh() == expected and not (fresh() != expected)
    assert fresh()[1:3] == expected[1:3] and fresh()[-1] == 3
    assert list(reversed(fresh())) == expected[::-1]
    assert 2 in fresh() and 7 not in fresh()
    assert fresh() + [5] == expected + [5] and [5] + fresh() == [5] + expected
    assert fresh() * 2 == expected * 2
    assert repr(fresh()) == repr(expected) and str(fresh()) == str(expected)
    assert fresh().index(2) == 2 and fresh().count(1) == 1
    assert bool(fresh()) and len(fresh()) == 4
    popped = fresh()
    assert popped.pop() == 3 and popped == expected[:3]
    cleared = fresh()
    cleared.clear()
    assert cleared == [] and len(cleared) == 0
    for copied in (copy.copy(fresh()), copy.deepcopy(fresh()), pickle.loads(pickle.dumps(fresh())),
                   fresh().copy()):
        assert type(copied) is list and copied == expected
    x, y, *rest = fresh()
    assert (x, y, rest) == (0, 1, [2, 3])


def test_datasets_that_are_not_plain_numeric_arrays_keep_the_plain_path() -> None:
    x, t = _columns(4)

    class Doubled(TupleDataset[tuple[Array, Array]]):
        def get_example(self, i: int) -> tuple[Array, Array]:
            ex = super().get_example(i)
            return ex[0] * 2, ex[1]

    words = numpy.array(["a", "bb", "ccc", "d"])
    for dataset in (Doubled(x, t), TupleDataset(words, t), numpy.array([{"a": 1}] * 4, dtype=object),
                    x.astype(">f4"), numpy.float32(3.0)):
        assert array_columns(dataset) is None
    batch = SerialIterator(Doubled(x, t), 2, shuffle=False).next()
    assert type(batch) is list
    numpy.testing.assert_array_equal(concat_examples(batch)[0], x[:2] * 2)
    assert gatherable(x) and not gatherable(x.view(numpy.matrix) if x.ndim == 2 else x[0, 0, 0])


def test_an_order_with_an_index_out_of_range_fails_at_next_as_the_plain_path() -> None:
    x, t = _columns(3)

    def bad_sampler(order: Array | None, current_position: int) -> Array:
        return numpy.array([0, 1, 5])

    for dataset in (TupleDataset(x, t), [(x[i], t[i]) for i in range(3)]):
        it = SerialIterator(dataset, 2, order_sampler=bad_sampler)
        it.next()
        with pytest.raises(IndexError):
            it.next()


def test_a_contiguous_batch_is_a_copy_of_the_columns() -> None:
    x, t = _columns(6)
    batch = SerialIterator(TupleDataset(x, t), 3, shuffle=False).next()
    bx, bt = concat_examples(batch)
    bx[...] = -1
    assert (x[:3] >= 0).all(), "the batch must not be a view of the dataset"
    assert not numpy.shares_memory(bt, t)
