"""The loss links of issue 13 (NegativeSampling, BlackOut, CRF1d,
BinaryHierarchicalSoftmax): Chainer's parameters and defaults, forward against the
functions they wrap (or, for the hierarchical softmax, a float64 transcription and
the normalization of its probabilities), the layouts of CRF1d, the tree and the
Huffman coding, errors and file round trips.  Chainer's own numbers are
``test_chainer_golden_seq_links.py``'s; the hierarchical softmax op's gradients are
checked by the registry's property test here (the op is not registered)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Link, Variable, initializers
from fchain.links.loss.hierarchical_softmax import Tree
from fchain.ops.loss._hierarchical_softmax import BINARY_HIERARCHICAL_SOFTMAX, binary_hierarchical_softmax
from fchain.testing import check_op
from fchain.types import Array
from tests.arrays import values
from tests.conftest import DEVICES
from tests.links.link_checks import assert_round_trip


@pytest.fixture(autouse=True)
def _seeded() -> Iterator[None]:
    saved = initializers.get_rng()
    initializers.set_random_seed(1234)
    fchain.graph.random.seed(0)
    yield
    initializers.set_rng(saved)


def _x(shape: tuple[int, ...], seed: int = 0) -> Array:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ----------------------------------------------------------- NegativeSampling


def test_negative_sampling_defaults() -> None:
    link = L.NegativeSampling(3, [4, 1, 0, 9], 2)
    np.testing.assert_array_equal(values(link.W), np.zeros((4, 3), np.float32))
    assert link.sample_size == 2 and [n for n, _ in link.namedparams()] == ["/W"]
    draws = link.sampler.sample((20000,))
    freq = np.bincount(draws, minlength=4) / draws.size
    p = np.array([4, 1, 0, 9], np.float64) ** 0.75
    np.testing.assert_allclose(freq, p / p.sum(), atol=0.015)
    assert freq[2] == 0


def test_negative_sampling_is_the_function() -> None:
    link = L.NegativeSampling(3, [2, 3, 1, 4, 1], 3, power=0.5)
    values(link.W)[...] = _x((5, 3))
    x, t = _x((4, 3), seed=1), np.array([0, -1, 4, 2], np.int32)
    loss, samples = link(x, t, return_samples=True)
    assert samples.shape == (4, 4) and loss.shape == ()
    np.testing.assert_array_equal(samples[[0, 2, 3], 0], t[[0, 2, 3]])
    want = F.negative_sampling(x, t, link.W, lambda shape: samples.copy(), 3)
    np.testing.assert_array_equal(loss.array, want.array)
    per_row = link(x, t, reduce="no")
    assert per_row.shape == (4,) and per_row.array[1] == 0


def test_negative_sampling_round_trip(tmp_path: Path) -> None:
    x, t = _x((2, 3)), np.array([1, 0], np.int32)

    def make() -> Link:
        link = L.NegativeSampling(3, [1, 2], 0)
        values(link.W)[...] = _x((2, 3), seed=4)
        return link

    def call(link: Link) -> Variable:
        assert isinstance(link, L.NegativeSampling)
        return link(x, t)  # no negative samples: deterministic

    assert_round_trip(tmp_path, make, lambda: L.NegativeSampling(3, [1, 2], 0), call, ["W"])


# -------------------------------------------------------------------- BlackOut


def test_black_out() -> None:
    link = L.BlackOut(3, [1, 2, 3, 4], 2)
    assert np.isnan(values(link.W)).all() and values(link.W).shape == (4, 3)
    values(link.W)[...] = _x((4, 3))
    x, t = _x((5, 3), seed=1), np.array([0, 3, 1, 1, 2], np.int32)
    samples = np.array([[1, 2], [0, 0], [3, 2], [2, 1], [0, 3]], np.int32)
    link.sample_data = samples
    np.testing.assert_array_equal(link(x, t).array, F.black_out(x, t, link.W, samples).array)
    link.sample_data = None
    loss = link(x, t)
    assert loss.shape == () and np.isfinite(loss.array)


# ----------------------------------------------------------------------- CRF1d


def _crf_batch() -> tuple[list[Array], list[Array]]:
    lengths = [2, 4, 1, 3]
    xs = [_x((n, 3), seed=i) for i, n in enumerate(lengths)]
    ys = [np.random.default_rng(10 + i).integers(0, 3, n).astype(np.int32) for i, n in enumerate(lengths)]
    return xs, ys


def test_crf1d_parameter() -> None:
    link = L.CRF1d(3)
    np.testing.assert_array_equal(values(link.cost), np.zeros((3, 3), np.float32))
    given_cost = L.CRF1d(2, initial_cost=np.array([[1, 2], [3, 4]], np.float32))
    np.testing.assert_array_equal(values(given_cost.cost), [[1, 2], [3, 4]])


def test_crf1d_layouts() -> None:
    """``transpose=True`` sorts and transposes the per-sequence arrays: the loss is
    ``F.crf1d`` on that layout; per-sequence losses come back in the sorted order
    (Chainer's), the Viterbi paths in the caller's."""
    link = L.CRF1d(3, initial_cost=_x((3, 3), seed=7))
    xs, ys = _crf_batch()
    order = [1, 3, 0, 2]  # by decreasing length
    txs = F.transpose_sequence([xs[i] for i in order])
    tys = [y.array for y in F.transpose_sequence([ys[i] for i in order])]
    loss = link(xs, ys, transpose=True)
    np.testing.assert_array_equal(loss.array, F.crf1d(link.cost, txs, tys).array)
    np.testing.assert_array_equal(link(txs, tys).array, loss.array)
    per_seq = link(xs, ys, reduce="no", transpose=True)
    np.testing.assert_array_equal(per_seq.array, F.crf1d(link.cost, txs, tys, reduce="no").array)
    score, paths = link.argmax(xs, transpose=True)
    for i, x in enumerate(xs):
        alone_score, alone_path = link.argmax([x], transpose=True)
        np.testing.assert_array_equal(paths[i], np.concatenate(alone_path))
        assert score.array[order.index(i)] == pytest.approx(float(alone_score.array[0]), rel=1e-6)
    t_score, t_path = link.argmax(txs)
    np.testing.assert_array_equal(t_score.array, score.array)
    assert [p.shape for p in t_path] == [(4,), (3,), (2,), (1,)]


def test_crf1d_round_trip(tmp_path: Path) -> None:
    xs, ys = _crf_batch()

    def call(link: Link) -> Variable:
        assert isinstance(link, L.CRF1d)
        return link(xs, ys, transpose=True)

    assert_round_trip(tmp_path, lambda: L.CRF1d(3, initial_cost=_x((3, 3), seed=2)), lambda: L.CRF1d(3), call,
                      ["cost"])


# ---------------------------------------------------- BinaryHierarchicalSoftmax


def test_tree_nodes_are_numbered_in_preorder() -> None:
    """Root 0, then the left subtree, then the right; codes 1 left, -1 right."""
    link = L.BinaryHierarchicalSoftmax(2, ((0, (2, 5)), (3, 1)))
    assert values(link.W).shape == (4, 2)  # four internal nodes
    assert link.paths.shape == (6, 3) and link.paths.dtype == np.int32
    want = {0: ([0, 1], [1, 1]), 2: ([0, 1, 2], [1, -1, 1]), 5: ([0, 1, 2], [1, -1, -1]),
            3: ([0, 3], [-1, 1]), 1: ([0, 3], [-1, -1]), 4: ([], [])}
    for word, (path, code) in want.items():
        n = len(path)
        assert link.paths[word, :n].tolist() == path and link.codes[word, :n].tolist() == code, word
        assert not link.codes[word, n:].any()


def _probability(link: L.BinaryHierarchicalSoftmax, x: Array, word: int) -> float:
    """``exp(-loss)`` of one word, in float64 from the link's tables."""
    W = values(link.W).astype(np.float64)
    n = int(np.count_nonzero(link.codes[word]))
    scores = W[link.paths[word, :n]] @ x.astype(np.float64) * link.codes[word, :n]
    return float(np.prod(1 / (1 + np.exp(-scores))))


def test_hierarchical_softmax_loss_and_normalization() -> None:
    tree: Tree = ((0, (1, 2)), ((3, 4), 5))
    link = L.BinaryHierarchicalSoftmax(3, tree)
    assert float(np.abs(values(link.W)).max()) <= 1.0  # Uniform(1)
    x = _x((4, 3))
    t = np.array([0, 5, 2, 4], np.int32)
    loss = link(x, t)
    assert loss.shape == () and loss.dtype == np.float32
    want = -sum(math.log(_probability(link, x[n], int(t[n]))) for n in range(4))
    assert float(loss.array) == pytest.approx(want, rel=1e-5)
    for n in range(4):  # a distribution over the words
        assert sum(_probability(link, x[n], w) for w in range(6)) == pytest.approx(1.0, rel=1e-6)
    loss.backward()
    assert link.W.grad is not None and np.abs(link.W.grad).sum() > 0


def test_create_huffman_tree() -> None:
    """The two lightest subtrees join, the lighter on the left; ties go to the
    subtree holding the earlier word."""
    tree = L.BinaryHierarchicalSoftmax.create_huffman_tree({"a": 5, "b": 1, "c": 1, "d": 2})
    assert tree == ((("b", "c"), "d"), "a")  # what Chainer 7.8.1 builds
    assert L.BinaryHierarchicalSoftmax.create_huffman_tree({7: 3}) == 7
    with pytest.raises(ValueError, match="Empty vocabulary"):
        L.BinaryHierarchicalSoftmax.create_huffman_tree({})
    counts = {w: c for w, c in enumerate([5, 1, 3, 2, 4, 1])}
    link = L.BinaryHierarchicalSoftmax(2, L.BinaryHierarchicalSoftmax.create_huffman_tree(counts))
    assert values(link.W).shape == (5, 2)


def test_bad_trees() -> None:
    with pytest.raises(ValueError, match="two child nodes"):
        L.BinaryHierarchicalSoftmax(2, (0, 1, 2))  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(TypeError, match="word ids"):
        L.BinaryHierarchicalSoftmax(2, ("a", "b"))  # type: ignore[arg-type]  # the mistake under test
    link = L.BinaryHierarchicalSoftmax(2, (0, 2))
    with pytest.raises(ValueError, match="outside the tree"):
        link(_x((1, 2)), np.array([3], np.int32))


def test_a_word_outside_the_tree_costs_nothing() -> None:
    """Chainer's behaviour for an id below the largest leaf that is no leaf."""
    link = L.BinaryHierarchicalSoftmax(2, (0, 2))
    assert float(link(_x((1, 2)), np.array([1], np.int32)).array) == 0.0


def test_hierarchical_softmax_round_trip(tmp_path: Path) -> None:
    x, t = _x((3, 2)), np.array([0, 2, 1], np.int32)

    def call(link: Link) -> Variable:
        assert isinstance(link, L.BinaryHierarchicalSoftmax)
        return link(x, t)

    tree: Tree = ((0, 1), 2)
    assert_round_trip(tmp_path, lambda: L.BinaryHierarchicalSoftmax(2, tree),
                      lambda: L.BinaryHierarchicalSoftmax(2, tree), call, ["W"])


def test_the_op_function_checks_its_tables() -> None:
    paths = np.zeros((2, 1), np.int32)
    codes = np.array([[1.0], [-1.0]], np.float32)
    with pytest.raises(fchain.errors.ShapeError, match="paths and codes"):
        binary_hierarchical_softmax(_x((1, 2)), np.array([0], np.int32), _x((1, 2)), paths, codes[:, :0])
    with pytest.raises(ValueError, match="outside W"):
        binary_hierarchical_softmax(_x((1, 2)), np.array([0], np.int32), _x((0, 2)), paths, codes)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_the_op_backward_matches_numerical_gradient(dtype: Any, device: str) -> None:
    """The registry's property test (``fchain.testing.check_op``, as
    ``tests/ops/test_op_gradients.py`` runs it), on the unregistered op: first
    order in both dtypes, the double-backprop path's first-order values, double
    backward in float64."""
    check_op(BINARY_HIERARCHICAL_SOFTMAX, dtypes=[dtype], devices=[device])
