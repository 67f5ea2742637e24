"""``negative_sampling`` and ``black_out``: values against independent numpy
references, the samples (who draws them, what is returned, that the sampler's
array is left alone), ignored rows, and bad-input errors.

Gradients are property-tested in ``test_op_gradients`` (first and second order)
and compared with Chainer 7.8.1 in ``test_chainer_golden_loss_seq`` (Chainer and
fchain given the same samples there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.errors import DTypeError, ShapeError
from fchain.graph import random as fchain_random
from fchain.types import Array
from fchain.utils import WalkerAlias

RNG = numpy.random.default_rng(2024)


def bad(value: object) -> Any:
    """A value of the wrong type, hidden from mypy: the mistake under test."""
    return value


def _softplus(z: float) -> float:
    return float(numpy.log1p(numpy.exp(-abs(z))) + max(z, 0.0))


def _negative_sampling_reference(x: Array, t: Array, W: Array, samples: Array) -> Array:
    """Per row: -log sigmoid(x . W[t]) - sum_k log sigmoid(-x . W[sample_k]), 0 if t == -1."""
    out = numpy.zeros(len(t))
    for n in range(len(t)):
        if t[n] == -1:
            continue
        out[n] = _softplus(-float(x[n] @ W[t[n]])) + sum(_softplus(float(x[n] @ W[k])) for k in samples[n, 1:])
    return out


class _Recorder:
    """A sampler that returns fixed samples and records the shapes it was asked for."""

    def __init__(self, drawn: Array) -> None:
        self.drawn = drawn
        self.asked: list[tuple[int, ...]] = []

    def __call__(self, shape: tuple[int, int]) -> Array:
        self.asked.append(tuple(shape))
        return self.drawn


def test_negative_sampling_matches_numpy_and_returns_the_samples() -> None:
    x, W = RNG.normal(size=(5, 3)), RNG.normal(size=(7, 3))
    t = numpy.array([2, -1, 6, 0, 2])
    drawn = RNG.integers(0, 7, size=(5, 4))
    kept = drawn.copy()
    sampler = _Recorder(drawn)
    per_row, samples = F.negative_sampling(x, t, W, sampler, 3, reduce="no", return_samples=True)
    assert sampler.asked == [(5, 4)]
    numpy.testing.assert_array_equal(drawn, kept)  # the sampler's array is not written to
    numpy.testing.assert_array_equal(samples[:, 0], t)
    numpy.testing.assert_array_equal(samples[:, 1:], drawn[:, 1:])
    expected = _negative_sampling_reference(x, t, W, samples)
    numpy.testing.assert_allclose(per_row.array, expected, rtol=1e-13)
    assert per_row.array[1] == 0.0
    total = F.negative_sampling(x, t, W, sampler, 3)
    assert total.shape == () and total.dtype == numpy.float64
    numpy.testing.assert_allclose(total.array, expected.sum(), rtol=1e-13)


def test_negative_sampling_is_stable_for_large_scores() -> None:
    x = numpy.array([[50.0, -50.0]], dtype=numpy.float32)
    W = numpy.array([[10.0, 0.0], [-10.0, 0.0]], dtype=numpy.float32)
    t = numpy.array([1], dtype=numpy.int32)  # positive score -500, negative (item 0) score +500
    v = fchain.Variable(x)
    with numpy.errstate(over="raise", invalid="raise"):
        loss = F.negative_sampling(v, t, W, lambda shape: numpy.zeros(shape, numpy.int32), 1)
        loss.backward()
    assert float(loss.array) == 1000.0
    assert v.grad is not None and numpy.isfinite(v.grad).all()


def test_ignored_rows_get_no_gradient_and_the_others_gradient_is_the_formula() -> None:
    x, W = RNG.normal(size=(3, 2)), RNG.normal(size=(4, 2))
    t = numpy.array([1, -1, 3])
    drawn = numpy.array([[0, 2, 2], [0, 1, 1], [0, 0, 1]])
    xv, Wv = fchain.Variable(x), fchain.Variable(W)
    F.negative_sampling(xv, t, Wv, lambda shape: drawn, 2).backward()
    gx, gW = numpy.zeros_like(x), numpy.zeros_like(W)
    for n in (0, 2):
        items = [t[n]] + list(drawn[n, 1:])
        for j, k in enumerate(items):
            sign = -1.0 if j == 0 else 1.0
            g = sign / (1.0 + numpy.exp(-sign * (x[n] @ W[k])))
            gx[n] += g * W[k]
            gW[k] += g * x[n]
    assert xv.grad is not None and Wv.grad is not None
    numpy.testing.assert_allclose(xv.grad, gx, rtol=1e-13)
    numpy.testing.assert_allclose(Wv.grad, gW, rtol=1e-13)
    assert not xv.grad[1].any()


def test_negative_sampling_with_a_walker_alias_sampler_is_reproducible() -> None:
    x = RNG.normal(size=(6, 4)).astype(numpy.float32)
    W = RNG.normal(size=(10, 4)).astype(numpy.float32)
    t = RNG.integers(0, 10, size=6).astype(numpy.int32)
    sampler = WalkerAlias(numpy.arange(10) + 1.0)
    fchain_random.seed(3)
    a, sa = F.negative_sampling(x, t, W, sampler.sample, 5, return_samples=True)
    fchain_random.seed(3)
    b, sb = F.negative_sampling(x, t, W, sampler.sample, 5, return_samples=True)
    assert a.dtype == numpy.float32 and sa.shape == (6, 6)
    numpy.testing.assert_array_equal(sa, sb)
    assert a.array == b.array
    numpy.testing.assert_allclose(a.array, _negative_sampling_reference(x, t, W, sa).sum(), rtol=1e-5)


def _black_out_reference(x: Array, t: Array, W: Array, samples: Array) -> Array:
    out = numpy.zeros(len(t))
    for n in range(len(t)):
        scores = numpy.array([x[n] @ W[t[n]]] + [x[n] @ W[k] for k in samples[n]])
        p = numpy.exp(scores - scores.max())
        p /= p.sum()
        out[n] = -numpy.log(p[0]) - numpy.log1p(-p[1:]).sum()
    return out


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
def test_black_out_matches_numpy(dtype: Any) -> None:
    x, W = RNG.normal(size=(4, 3)).astype(dtype), RNG.normal(size=(6, 3)).astype(dtype)
    t = RNG.integers(0, 6, size=4)
    samples = RNG.integers(0, 6, size=(4, 5))
    expected = _black_out_reference(x.astype(numpy.float64), t, W.astype(numpy.float64), samples)
    tol = 1e-13 if dtype == numpy.float64 else 2e-6
    per_row = F.black_out(x, t, W, samples, reduce="no")
    assert per_row.dtype == dtype and per_row.shape == (4,)
    numpy.testing.assert_allclose(per_row.array, expected, rtol=tol)
    numpy.testing.assert_allclose(F.black_out(x, t, W, samples).array, expected.mean(), rtol=tol)


X, T, W = numpy.ones((2, 3)), numpy.array([0, 1]), numpy.ones((4, 3))
DRAWN = numpy.zeros((2, 3), numpy.int64)


def _fixed(drawn: object) -> Callable[[tuple[int, int]], Array]:
    return lambda shape: bad(drawn)


def _never(shape: tuple[int, int]) -> Array:
    raise AssertionError("the sampler must not be called for arguments that are refused")


ERRORS: list[tuple[type[Exception], str, Callable[[], object]]] = [
    (ValueError, r"negative_sampling: only 'sum' and 'no' are valid for 'reduce', but 'mean' is given",
     lambda: F.negative_sampling(X, T, W, _fixed(DRAWN), 2, reduce=bad("mean"))),
    (ValueError, r"negative_sampling: sample_size must be non-negative, got -1",
     lambda: F.negative_sampling(X, T, W, _fixed(DRAWN), -1)),
    (TypeError, r"negative_sampling: sample_size must be an int, got float 2.0",
     lambda: F.negative_sampling(X, T, W, _fixed(DRAWN), bad(2.0))),
    (TypeError, r"negative_sampling: sampler must be callable \(a function of a shape\), got ndarray",
     lambda: F.negative_sampling(X, T, W, bad(DRAWN), 2)),
    (ShapeError, r"negative_sampling: x must have shape \(N, D\), got shape \(3,\)",
     lambda: F.negative_sampling(numpy.ones(3), T, W, _fixed(DRAWN), 2)),
    (ShapeError, r"negative_sampling: t must have shape \(2,\) \(one label per row of x\), got shape \(1,\)",
     lambda: F.negative_sampling(X, T[:1], W, _fixed(DRAWN), 2)),
    (DTypeError, r"negative_sampling: t must be an integer array of labels, got dtype float64",
     lambda: F.negative_sampling(X, T * 1.0, W, _fixed(DRAWN), 2)),
    (ShapeError, r"negative_sampling: W must have shape \(V, 3\) \(one row of x's width per item\), "
                 r"got shape \(4, 2\)",
     lambda: F.negative_sampling(X, T, W[:, :2], _fixed(DRAWN), 2)),
    (ValueError, r"negative_sampling: every label in t must satisfy 0 <= t < 4 or t == -1 \(ignore_label\), "
                 r"but t contains \[4\]",
     lambda: F.negative_sampling(X, numpy.array([4, 0]), W, _fixed(DRAWN), 2)),
    (ShapeError, r"negative_sampling: the sampler returned shape \(2, 2\), not the \(2, 3\) "
                 r"\(N, sample_size \+ 1\) it was asked for",
     lambda: F.negative_sampling(X, T, W, _fixed(DRAWN[:, :2]), 2)),
    (DTypeError, r"negative_sampling: the sampler must return an integer array, got dtype float64",
     lambda: F.negative_sampling(X, T, W, _fixed(DRAWN * 1.0), 2)),
    (TypeError, r"negative_sampling: the sampler must return a numpy.ndarray or cupy.ndarray, got list",
     lambda: F.negative_sampling(X, T, W, _fixed([[0, 0, 0]]), 2)),
    (ValueError, r"negative_sampling: the sampler returned items outside \[0, 4\) \(the rows of W\): \[-2, 4\]",
     lambda: F.negative_sampling(X, T, W, _fixed(numpy.array([[0, 4, 1], [0, 1, -2]])), 2)),
    (DTypeError, r"negative_sampling: W has dtype float32 but x has float64; .*",
     lambda: F.negative_sampling(X, T, W.astype(numpy.float32), _never, 2)),
    (DTypeError, r"negative_sampling: x must be a floating-point array, got dtype int64; .*",
     lambda: F.negative_sampling(X.astype(numpy.int64), T, W, _never, 2)),
    (ShapeError, r"black_out: x must have shape \(N, D\), got shape \(3,\)",
     lambda: F.black_out(numpy.ones(3), T, W, DRAWN)),
    (ShapeError, r"black_out: t must have shape \(2,\) \(one label per row of x\), got shape \(3,\)",
     lambda: F.black_out(X, numpy.zeros(3, numpy.int32), W, DRAWN)),
    (ShapeError, r"black_out: W must have shape \(V, 3\) \(one row of x's width per item\), got shape \(3,\)",
     lambda: F.black_out(X, T, numpy.ones(3), DRAWN)),
    (ShapeError, r"black_out: samples must have shape \(2, S\) \(S negative samples per row of x\), "
                 r"got shape \(3, 3\)",
     lambda: F.black_out(X, T, W, numpy.zeros((3, 3), numpy.int32))),
    (DTypeError, r"black_out: samples must be an integer array of labels, got dtype float64",
     lambda: F.black_out(X, T, W, DRAWN * 1.0)),
    (ValueError, r"black_out: every label in t must satisfy 0 <= t < 4, but t contains \[-1\]",
     lambda: F.black_out(X, numpy.array([-1, 0]), W, DRAWN)),
    (ValueError, r"black_out: every label in samples must satisfy 0 <= samples < 4, but samples contains \[9\]",
     lambda: F.black_out(X, T, W, DRAWN + 9)),
    (DTypeError, r"black_out: W has dtype float32 but x has float64; .*",
     lambda: F.black_out(X, T, W.astype(numpy.float32), DRAWN)),
    (ValueError, r"black_out: only 'mean' and 'no' are valid for 'reduce', but 'sum' is given",
     lambda: F.black_out(X, T, W, DRAWN, reduce=bad("sum"))),
]


@pytest.mark.parametrize(("kind", "message", "call"), ERRORS,
                         ids=[f"{m.split(':')[0]}-{i}" for i, (_, m, _) in enumerate(ERRORS)])
def test_bad_arguments_are_named(kind: type[Exception], message: str, call: Callable[[], object]) -> None:
    with pytest.raises(kind, match="^" + message + "$"):
        call()
