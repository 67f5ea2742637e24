"""Dataset wrappers and splitters, against plain numpy/Python written in the test."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fchain.dataset import DatasetMixin
from fchain.datasets import (
    ConcatenatedDataset,
    DictDataset,
    SubDataset,
    TransformDataset,
    TupleDataset,
    get_cross_validation_datasets,
    get_cross_validation_datasets_random,
    split_dataset,
    split_dataset_n,
    split_dataset_n_random,
    split_dataset_random,
)


class Squares(DatasetMixin[int]):
    def __init__(self, n: int) -> None:
        self.n = n
        self.calls: list[int] = []

    def __len__(self) -> int:
        return self.n

    def get_example(self, i: int) -> int:
        if not -self.n <= i < self.n:
            raise IndexError(i)
        self.calls.append(i)
        return (i % self.n) ** 2


# ----------------------------------------------------------------- DatasetMixin


def test_mixin_indexing_forms() -> None:
    d = Squares(6)
    assert d[2] == 4
    assert d[numpy.int64(3)] == 9
    assert d[1:5:2] == [1, 9]
    assert d[::-2] == [25, 9, 1]
    assert d[[0, 5]] == [0, 25]
    assert d[numpy.array([4, 1])] == [16, 1]
    assert d[numpy.array(2)] == 4  # a 0-d array is one index
    assert list(d) == [0, 1, 4, 9, 16, 25]


def test_mixin_requires_overrides() -> None:
    class Empty(DatasetMixin[int]):
        pass

    with pytest.raises(NotImplementedError, match="Empty must implement __len__"):
        len(Empty())
    with pytest.raises(NotImplementedError, match="get_example"):
        Empty().get_example(0)


# ----------------------------------------------------------------- TupleDataset


def test_tuple_dataset_examples_and_slices() -> None:
    x = numpy.arange(12).reshape(6, 2)
    t = numpy.arange(6) * 10
    names = ["a", "b", "c", "d", "e", "f"]
    ds = TupleDataset(x, t, names)
    assert len(ds) == 6
    ex = ds[4]
    assert isinstance(ex, tuple) and len(ex) == 3
    numpy.testing.assert_array_equal(ex[0], [8, 9])
    assert ex[1] == 40 and ex[2] == "e"
    assert ds[-1][2] == "f"
    sl = ds[1:4]
    assert [e[2] for e in sl] == ["b", "c", "d"]
    assert [int(e[1]) for e in sl] == [10, 20, 30]
    picked = ds[[5, 0]]
    assert [e[2] for e in picked] == ["f", "a"]
    arr_picked = ds[numpy.array([2, 2])]
    assert [e[2] for e in arr_picked] == ["c", "c"]


def test_tuple_dataset_generic_dataset_without_slicing() -> None:
    class OnlyInts:
        def __len__(self) -> int:
            return 3

        def __getitem__(self, i: int) -> int:
            if isinstance(i, slice):
                raise TypeError("no slices")
            return i + 100

    ds = TupleDataset(OnlyInts(), [7, 8, 9])
    assert ds[0:2] == [(100, 7), (101, 8)]
    assert ds[[2]] == [(102, 9)]


def test_tuple_dataset_errors() -> None:
    with pytest.raises(ValueError, match="TupleDataset: no datasets are given"):
        TupleDataset()
    with pytest.raises(ValueError, match="dataset 1 has length 2 but dataset 0 has length 3"):
        TupleDataset([1, 2, 3], [1, 2])
    with pytest.raises(IndexError):
        TupleDataset([1, 2, 3])[3]


# ----------------------------------------------------------------- DictDataset


def test_dict_dataset() -> None:
    x = numpy.arange(5) * 2
    ds = DictDataset(x=x, name=["p", "q", "r", "s", "t"])
    assert len(ds) == 5
    assert ds[3] == {"x": 6, "name": "s"}
    assert ds[3:] == [{"x": 6, "name": "s"}, {"x": 8, "name": "t"}]
    assert ds[[0]] == [{"x": 0, "name": "p"}]
    with pytest.raises(ValueError, match="DictDataset: no datasets are given"):
        DictDataset()
    with pytest.raises(ValueError, match="dataset 'b' has length 1 but dataset 'a' has length 2"):
        DictDataset(a=[1, 2], b=[1])


# ----------------------------------------------------------------- SubDataset


@given(
    n=st.integers(0, 30),
    data=st.data(),
)
def test_sub_dataset_matches_python_slicing(n: int, data: st.DataObject) -> None:
    base = [f"e{i}" for i in range(n)]
    start = data.draw(st.integers(0, n))
    finish = data.draw(st.integers(start, n))
    use_order = data.draw(st.booleans())
    order = data.draw(st.permutations(list(range(n)))) if use_order else None
    sub = SubDataset(base, start, finish, order)
    ref = [base[order[k]] if order is not None else base[k] for k in range(start, finish)]
    assert len(sub) == len(ref)
    assert list(sub[:]) == ref
    for i in range(-len(ref), len(ref)):
        assert sub[i] == ref[i]
    with pytest.raises(IndexError, match="SubDataset: index"):
        sub[len(ref)]
    with pytest.raises(IndexError):
        sub[-len(ref) - 1]


def test_sub_dataset_errors() -> None:
    with pytest.raises(ValueError, match="subset overruns the base dataset"):
        SubDataset([1, 2, 3], 0, 4)
    with pytest.raises(ValueError, match="subset overruns"):
        SubDataset([1, 2, 3], -1, 2)
    with pytest.raises(ValueError, match="subset overruns"):
        SubDataset([1, 2, 3], 2, 1)
    with pytest.raises(ValueError, match=r"len\(order\) = 2 while len\(dataset\) = 3"):
        SubDataset([1, 2, 3], 0, 2, [1, 0])
    with pytest.raises(ValueError, match="order must be a 1-d sequence of ints"):
        SubDataset([1, 2, 3], 0, 2, numpy.array([0.5, 1.0, 2.0]))
    with pytest.raises(TypeError, match="start must be int"):
        SubDataset([1, 2, 3], 0.0, 2)  # type: ignore[arg-type]  # the check under test


# ----------------------------------------------------------------- splits


def test_split_dataset() -> None:
    base = list(range(10))
    a, b = split_dataset(base, 3)
    assert list(a) == [0, 1, 2] and list(b) == list(range(3, 10))
    a, b = split_dataset(base, 2, order=list(range(9, -1, -1)))
    assert list(a) == [9, 8] and list(b) == list(range(7, -1, -1))
    a, b = split_dataset(base, 10)
    assert len(a) == 10 and len(b) == 0
    with pytest.raises(TypeError, match="split_dataset: split_at must be int, got float instead"):
        split_dataset(base, 2.0)  # type: ignore[arg-type]  # the check under test
    with pytest.raises(ValueError, match="split_at must be non-negative"):
        split_dataset(base, -1)
    with pytest.raises(ValueError, match="split_at exceeds the dataset size"):
        split_dataset(base, 11)


def test_split_dataset_random_uses_chainers_permutation() -> None:
    base = list(range(20))
    a, b = split_dataset_random(base, 7, seed=5)
    expected = numpy.random.RandomState(5).permutation(20)
    assert list(a) == expected[:7].tolist()
    assert list(b) == expected[7:].tolist()
    a2, _ = split_dataset_random(base, 7, seed=5)
    assert list(a2) == list(a)
    g = numpy.random.default_rng(1)
    a3, b3 = split_dataset_random(base, 7, seed=g)
    assert sorted(list(a3) + list(b3)) == base
    assert list(a3) == numpy.random.default_rng(1).permutation(20)[:7].tolist()
    with pytest.raises(TypeError, match="seed must be"):
        split_dataset_random(base, 3, seed="x")  # type: ignore[arg-type]  # the check under test


def test_split_dataset_n_and_random() -> None:
    base = list(range(11))
    parts = split_dataset_n(base, 3)
    assert [list(p) for p in parts] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    parts = split_dataset_n_random(base, 2, seed=3)
    perm = numpy.random.RandomState(3).permutation(11).tolist()
    assert [list(p) for p in parts] == [perm[0:5], perm[5:10]]
    with pytest.raises(ValueError, match="split_dataset_n: n must be positive"):
        split_dataset_n(base, 0)


@given(n=st.integers(0, 25), folds=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_cross_validation_properties(n: int, folds: int, seed: int) -> None:
    base = list(range(n))
    order = numpy.random.RandomState(seed).permutation(n)
    splits = get_cross_validation_datasets(base, folds, order=order)
    assert len(splits) == folds
    tests = [sorted(te) for _, te in splits]
    # The test sets are disjoint and cover everything; sizes differ by at most one.
    assert sorted(sum(tests, [])) == base
    sizes = [len(t) for t in tests]
    assert max(sizes) - min(sizes) <= 1
    for train, test in splits:
        assert sorted(list(train) + list(test)) == base
    rnd = get_cross_validation_datasets_random(base, folds, seed=seed)
    assert [(list(a), list(b)) for a, b in rnd] == [(list(a), list(b)) for a, b in splits]


def test_cross_validation_matches_chainer_layout() -> None:
    # Chainer: borders at n*i//k; folds are taken from the end, rotating the order.
    splits = get_cross_validation_datasets(list(range(7)), 3)
    assert [(list(a), list(b)) for a, b in splits] == [
        ([0, 1, 2, 3], [4, 5, 6]),
        ([4, 5, 6, 0, 1], [2, 3]),
        ([2, 3, 4, 5, 6], [0, 1]),
    ]


def test_cross_validation_n_fold_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="n_fold is deprecated"):
        splits = get_cross_validation_datasets(list(range(4)), n_fold=2)
    assert len(splits) == 2
    with pytest.raises(TypeError, match="missing argument n_folds"):
        get_cross_validation_datasets(list(range(4)))
    with pytest.raises(ValueError, match="n_folds must be positive"):
        get_cross_validation_datasets(list(range(4)), 0)


# ----------------------------------------------------------------- Transform / Concatenated


def test_transform_dataset_applies_on_every_read() -> None:
    base = Squares(4)
    ds = TransformDataset(base, lambda v: (v, -v))
    assert len(ds) == 4
    assert ds[3] == (9, -9)
    assert ds[1:3] == [(1, -1), (4, -4)]
    ds[0]
    ds[0]
    assert base.calls.count(0) == 2  # nothing is cached
    with pytest.raises(TypeError, match="transform must be callable"):
        TransformDataset(base, 3)  # type: ignore[arg-type]  # the check under test


@given(lengths=st.lists(st.integers(0, 5), max_size=5))
def test_concatenated_dataset_matches_list_concatenation(lengths: list[int]) -> None:
    parts = [[f"{k}:{i}" for i in range(n)] for k, n in enumerate(lengths)]
    ds = ConcatenatedDataset(*parts)
    ref = sum(parts, [])
    assert len(ds) == len(ref)
    assert ds[:] == ref
    for i in range(-len(ref), len(ref)):
        assert ds[i] == ref[i]
    with pytest.raises(IndexError, match="ConcatenatedDataset: index"):
        ds[len(ref)]
