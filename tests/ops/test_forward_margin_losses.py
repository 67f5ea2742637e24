"""Forward values and bad-input errors of the elementwise and margin losses of
issue 13: ``absolute_error``, ``squared_error``, ``huber_loss``, ``hinge``,
``contrastive``, ``triplet``.

Expected values are computed here with plain numpy written independently of fchain
(loops over rows where that is clearer), or are the numbers printed in Chainer's
documentation.  Gradients are property-tested in ``test_op_gradients``, compared
with Chainer in ``test_chainer_golden_loss_seq`` and pinned at their kinks in
``test_conventions_loss``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest

import fchain.functions as F
from fchain.errors import DTypeError, ShapeError
from fchain.types import Array

RNG = numpy.random.default_rng(1313)


def bad(value: object) -> Any:
    """A value of the wrong type, hidden from mypy: the mistake under test."""
    return value


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_elementwise_errors_match_numpy(dtype: Any) -> None:
    x0, x1 = RNG.normal(size=(2, 3, 4)).astype(dtype)
    a, s = F.absolute_error(x0, x1), F.squared_error(x0, x1)
    assert a.dtype == s.dtype == dtype and a.shape == s.shape == (3, 4)
    numpy.testing.assert_array_equal(a.array, numpy.abs(x0 - x1))
    numpy.testing.assert_array_equal(s.array, (x0 - x1) ** 2)


def test_squared_error_chainer_docs_example() -> None:
    x1 = numpy.arange(6).astype(numpy.float32)
    x2 = numpy.array([5, 4, 3, 2, 1, 0]).astype(numpy.float32)
    numpy.testing.assert_array_equal(F.squared_error(x1, x2).array, [25.0, 9.0, 1.0, 1.0, 9.0, 25.0])


def _huber_reference(x: Array, t: Array, delta: float) -> Array:
    a = numpy.abs(x.astype(numpy.float64) - t)
    out: Array = numpy.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta))
    return out


@pytest.mark.parametrize("delta", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_huber_loss_matches_numpy(delta: float, shape: tuple[int, ...]) -> None:
    x, t = RNG.normal(size=(2,) + shape) * 2
    expected = _huber_reference(x, t, delta)
    numpy.testing.assert_allclose(F.huber_loss(x, t, delta, reduce="no").array, expected, rtol=1e-14)
    numpy.testing.assert_allclose(F.huber_loss(x, t, delta).array, expected.sum(axis=1), rtol=1e-14)


def test_huber_loss_chainer_docs_example() -> None:
    x = numpy.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=numpy.float32)
    t = numpy.array([[-2.0, 3.0, 0.0], [10.0, 2.0, -0.5]], dtype=numpy.float32)
    numpy.testing.assert_array_equal(F.huber_loss(x, t, delta=1.0, reduce="no").array,
                                     [[0.0, 0.0, 0.125], [4.5, 0.0, 0.0]])
    numpy.testing.assert_array_equal(F.huber_loss(x, t, delta=1.0).array, [0.125, 4.5])


def _hinge_reference(x: Array, t: Array, norm: str) -> Array:
    out = numpy.zeros(x.shape)
    for n in range(x.shape[0]):
        for k in range(x.shape[1]):
            sign = -1.0 if k == t[n] else 1.0
            out[n, k] = max(0.0, 1.0 + sign * x[n, k]) ** (1 if norm == "L1" else 2)
    return out


@pytest.mark.parametrize("norm", ["L1", "L2"])
def test_hinge_matches_numpy(norm: Any) -> None:
    x = RNG.normal(size=(5, 4)) * 2
    t = RNG.integers(0, 4, size=5)
    expected = _hinge_reference(x, t, norm)
    numpy.testing.assert_allclose(F.hinge(x, t, norm=norm, reduce="no").array, expected, rtol=1e-14)
    numpy.testing.assert_allclose(F.hinge(x, t, norm=norm).array, expected.sum() / 5, rtol=1e-14)


def test_hinge_chainer_docs_examples() -> None:
    x = numpy.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=numpy.float32)
    t = numpy.array([1, 0], dtype=numpy.int32)
    assert float(F.hinge(x, t).array) == 2.5
    assert float(F.hinge(x, t, norm="L2").array) == 5.75
    numpy.testing.assert_array_equal(F.hinge(x, t, reduce="no").array, [[0.0, 0.0, 1.5], [0.0, 3.0, 0.5]])


def _contrastive_reference(x0: Array, x1: Array, y: Array, margin: float) -> Array:
    out = numpy.zeros(len(y))
    for n in range(len(y)):
        d = float(numpy.sqrt(((x0[n] - x1[n]) ** 2).sum()))
        out[n] = 0.5 * (d * d if y[n] == 1 else max(margin - d, 0.0) ** 2)
    return out


@pytest.mark.parametrize("margin", [1.0, 2.5])
def test_contrastive_matches_numpy(margin: float) -> None:
    x0, x1 = numpy.random.default_rng(8).normal(size=(2, 6, 3))  # its own draws: the check below needs them
    y = numpy.array([1, 0, 0, 1, 0, 0], dtype=numpy.int32)
    expected = _contrastive_reference(x0, x1, y, margin)
    assert (expected[y == 0] > 0).any() and (expected[y == 0] == 0).any()  # both sides of the margin
    numpy.testing.assert_allclose(F.contrastive(x0, x1, y, margin, reduce="no").array, expected, rtol=1e-14)
    numpy.testing.assert_allclose(F.contrastive(x0, x1, y, margin).array, expected.mean(), rtol=1e-14)


def test_contrastive_chainer_docs_examples() -> None:
    x0 = numpy.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=numpy.float32)
    x1 = numpy.array([[-1.0, 3.0, 1.0], [3.5, 0.5, -2.0]], dtype=numpy.float32)
    y = numpy.array([1, 0], dtype=numpy.int32)
    assert float(F.contrastive(x0, x1, y).array) == 0.3125
    assert F.contrastive(x0, x1, y, margin=3.0).array == numpy.float32(0.3528857)
    numpy.testing.assert_array_equal(F.contrastive(x0, x1, y, reduce="no").array, [0.625, 0.0])


def test_triplet_matches_numpy() -> None:
    a, p, n = numpy.random.default_rng(9).normal(size=(3, 5, 4))  # its own draws: the check below needs them
    expected = numpy.maximum(((a - p) ** 2).sum(axis=1) - ((a - n) ** 2).sum(axis=1) + 0.7, 0.0)
    assert (expected == 0).any() and (expected > 0).any()
    numpy.testing.assert_allclose(F.triplet(a, p, n, margin=0.7, reduce="no").array, expected, rtol=1e-13)
    numpy.testing.assert_allclose(F.triplet(a, p, n, margin=0.7).array, expected.mean(), rtol=1e-13)


def test_triplet_chainer_docs_examples() -> None:
    a = numpy.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=numpy.float32)
    p = numpy.array([[-2.1, 2.8, 0.5], [4.9, 2.0, -0.4]], dtype=numpy.float32)
    n = numpy.array([[-2.1, 2.7, 0.7], [4.9, 2.0, -0.7]], dtype=numpy.float32)
    assert F.triplet(a, p, n).array == numpy.float32(0.14000003)
    numpy.testing.assert_array_equal(F.triplet(a, p, n, reduce="no").array,
                                     numpy.array([0.11000005, 0.17], dtype=numpy.float32))
    assert F.triplet(a, p, n, margin=0.5).array == numpy.float32(0.44000003)


A = numpy.ones((2, 3))
LABELS = numpy.array([0, 2])
PAIR_LABELS = numpy.array([1, 0])

# (exception, message (a regex matched against the whole message), call)
ERRORS: list[tuple[type[Exception], str, Callable[[], object]]] = [
    (ShapeError, r"absolute_error: x1 has shape \(3, 2\) but x0 has shape \(2, 3\); they must be equal",
     lambda: F.absolute_error(A, A.T)),
    (ShapeError, r"squared_error: x1 has shape \(3,\) but x0 has shape \(2, 3\); they must be equal",
     lambda: F.squared_error(A, numpy.ones(3))),
    (DTypeError, r"squared_error: x1 has dtype float32 but x0 has float64; .*",
     lambda: F.squared_error(A, A.astype(numpy.float32))),
    (ShapeError, r"huber_loss: t has shape \(3, 2\) but x has shape \(2, 3\); they must be equal",
     lambda: F.huber_loss(A, A.T, 1.0)),
    (ShapeError, r"huber_loss: reduce='sum_along_second_axis' needs x of shape \(N, K, ...\), got shape \(3,\)",
     lambda: F.huber_loss(numpy.ones(3), numpy.ones(3), 1.0)),
    (ValueError, r"huber_loss: delta must be positive, got 0.0", lambda: F.huber_loss(A, A, 0.0)),
    (TypeError, r"huber_loss: delta must be a real number, got str 'a'", lambda: F.huber_loss(A, A, bad("a"))),
    (ValueError, r"huber_loss: only 'sum_along_second_axis' and 'no' are valid for 'reduce', but 'mean' is given",
     lambda: F.huber_loss(A, A, 1.0, reduce=bad("mean"))),
    (ShapeError, r"hinge: x must have shape \(N, K\), got shape \(2, 3, 1\)",
     lambda: F.hinge(A[..., None], LABELS)),
    (ShapeError, r"hinge: t must have shape \(2,\) \(one label per row of x\), got shape \(3,\)",
     lambda: F.hinge(A, numpy.zeros(3, numpy.int32))),
    (DTypeError, r"hinge: t must be an integer array of labels, got dtype float64", lambda: F.hinge(A, A[:, 0])),
    (ValueError, r"hinge: every label in t must satisfy 0 <= t < 3, but t contains \[-1\]",
     lambda: F.hinge(A, numpy.array([0, -1]))),
    (ValueError, r"hinge: every label in t must satisfy 0 <= t < 3, but t contains \[3\]",
     lambda: F.hinge(A, numpy.array([3, 0]))),
    (NotImplementedError, r"hinge: norm should be either 'L1' or 'L2', got 'L3'",
     lambda: F.hinge(A, LABELS, norm=bad("L3"))),
    (ValueError, r"hinge: only 'mean' and 'no' are valid for 'reduce', but 'sum' is given",
     lambda: F.hinge(A, LABELS, reduce=bad("sum"))),
    (ShapeError, r"contrastive: x0 must have shape \(N, K\), got shape \(3,\)",
     lambda: F.contrastive(numpy.ones(3), numpy.ones(3), PAIR_LABELS)),
    (ShapeError, r"contrastive: x1 has shape \(3, 2\) but x0 has shape \(2, 3\); they must be equal",
     lambda: F.contrastive(A, A.T, PAIR_LABELS)),
    (ShapeError, r"contrastive: y must have shape \(2,\) \(one label per pair\), got shape \(1,\)",
     lambda: F.contrastive(A, A, numpy.array([1]))),
    (ShapeError, r"contrastive: x0 must hold at least one pair, got shape \(0, 3\)",
     lambda: F.contrastive(A[:0], A[:0], numpy.zeros(0, numpy.int32))),
    (DTypeError, r"contrastive: y must be an integer array of labels, got dtype float64",
     lambda: F.contrastive(A, A, A[:, 0])),
    (ValueError, r"contrastive: every label in y must satisfy 0 <= y < 2, but y contains \[2\]",
     lambda: F.contrastive(A, A, numpy.array([1, 2]))),
    (ValueError, r"contrastive: margin should be positive value, got -1",
     lambda: F.contrastive(A, A, PAIR_LABELS, margin=-1)),
    (TypeError, r"contrastive: margin must be a real number, got str '1'",
     lambda: F.contrastive(A, A, PAIR_LABELS, margin=bad("1"))),
    (ShapeError, r"triplet: anchor must have shape \(N, K\) with N > 0, got shape \(0, 3\)",
     lambda: F.triplet(A[:0], A[:0], A[:0])),
    (ShapeError, r"triplet: negative has shape \(2, 2\) but anchor has shape \(2, 3\); they must be equal",
     lambda: F.triplet(A, A, A[:, :2])),
    (ValueError, r"triplet: margin should be positive value, got 0", lambda: F.triplet(A, A, A, margin=0)),
    (ValueError, r"triplet: only 'mean' and 'no' are valid for 'reduce', but 'sum' is given",
     lambda: F.triplet(A, A, A, reduce=bad("sum"))),
    (TypeError, r"triplet: anchor must be a Variable, numpy.ndarray or cupy.ndarray, got list",
     lambda: F.triplet(bad([[1.0]]), A, A)),
]


@pytest.mark.parametrize(("kind", "message", "call"), ERRORS,
                         ids=[f"{m.split(':')[0]}-{i}" for i, (_, m, _) in enumerate(ERRORS)])
def test_bad_arguments_are_named(kind: type[Exception], message: str, call: Callable[[], object]) -> None:
    with pytest.raises(kind, match="^" + message + "$"):
        call()
