"""The sequence losses: ``crf1d``/``argmax_crf1d`` and
``connectionist_temporal_classification``, against brute force.

Every expected value enumerates all labellings (CRF) or all alignments (CTC) of
small problems in plain Python, independently of fchain's vectorised forward
algorithm; gradients are checked against the marginals the enumeration gives.
Bad inputs give errors naming the function and the argument.  Gradients are also
property-tested in ``test_op_gradients`` and compared with Chainer 7.8.1 in
``test_chainer_golden_loss_seq``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.errors import DTypeError, ShapeError
from fchain.types import Array

RNG = numpy.random.default_rng(77)


def bad(value: object) -> Any:
    """A value of the wrong type, hidden from mypy: the mistake under test."""
    return value


# --------------------------------------------------------------------------- CRF
def _sequences(sizes: Sequence[int], n_label: int) -> tuple[Array, list[Array], list[Array]]:
    cost = RNG.normal(size=(n_label, n_label))
    xs = [RNG.normal(size=(n, n_label)) for n in sizes]
    ys = [RNG.integers(0, n_label, size=n) for n in sizes]
    return cost, xs, ys


def _path_score(cost: Array, xs: list[Array], b: int, labels: Sequence[int]) -> float:
    total = sum(float(xs[t][b, y]) for t, y in enumerate(labels))
    return total + sum(float(cost[labels[t - 1], labels[t]]) for t in range(1, len(labels)))


def _length(sizes: Sequence[int], b: int) -> int:
    return sum(1 for n in sizes if n > b)


def _crf_reference(cost: Array, xs: list[Array], ys: list[Array]) -> tuple[Array, Array, list[Array]]:
    """Per sequence: the loss by enumeration, and the gradients of the summed loss
    (expected label and transition counts minus the observed ones)."""
    sizes = [len(x) for x in xs]
    n_label = cost.shape[0]
    losses = numpy.zeros(sizes[0])
    g_cost = numpy.zeros_like(cost)
    g_xs = [numpy.zeros_like(x) for x in xs]
    for b in range(sizes[0]):
        length = _length(sizes, b)
        paths = list(itertools.product(range(n_label), repeat=length))
        scores = numpy.array([_path_score(cost, xs, b, p) for p in paths])
        log_z = numpy.log(numpy.exp(scores - scores.max()).sum()) + scores.max()
        observed = [int(ys[t][b]) for t in range(length)]
        losses[b] = log_z - _path_score(cost, xs, b, observed)
        for p, prob in zip(paths, numpy.exp(scores - log_z)):
            for t in range(length):
                g_xs[t][b, p[t]] += prob
                if t:
                    g_cost[p[t - 1], p[t]] += prob
        for t in range(length):
            g_xs[t][b, observed[t]] -= 1.0
            if t:
                g_cost[observed[t - 1], observed[t]] -= 1.0
    return losses, g_cost, g_xs


@pytest.mark.parametrize("sizes", [[3, 3, 2, 1], [2, 2, 2], [4], [1, 1, 1, 1, 1]])
@pytest.mark.parametrize("n_label", [1, 3])
def test_crf1d_matches_enumeration(sizes: list[int], n_label: int) -> None:
    cost, xs, ys = _sequences(sizes, n_label)
    losses, g_cost, g_xs = _crf_reference(cost, xs, ys)
    per_sequence = F.crf1d(cost, xs, ys, reduce="no")
    assert per_sequence.shape == (sizes[0],)
    numpy.testing.assert_allclose(per_sequence.array, losses, rtol=1e-12, atol=1e-12)
    cv, xvs = fchain.Variable(cost), [fchain.Variable(x) for x in xs]
    loss = F.crf1d(cv, xvs, ys)
    numpy.testing.assert_allclose(loss.array, losses.sum() / sizes[0], rtol=1e-12, atol=1e-12)
    loss.grad = numpy.asarray(float(sizes[0]))
    loss.backward()
    if len(sizes) == 1:
        assert cv.grad is None  # a single step uses no transition (Chainer: no gradient either)
    else:
        assert cv.grad is not None
        numpy.testing.assert_allclose(cv.grad, g_cost, rtol=1e-10, atol=1e-12)
    for xv, g in zip(xvs, g_xs):
        assert xv.grad is not None
        numpy.testing.assert_allclose(xv.grad, g, rtol=1e-10, atol=1e-12)


def test_crf1d_is_stable_for_large_costs() -> None:
    """Costs of 1e3 would overflow exp in float32: the float32 losses are finite and
    those of float64 (where the enumeration checks the algorithm) to float32's
    precision."""
    rng = numpy.random.default_rng(5)
    cost = rng.normal(size=(3, 3))
    big = [rng.normal(size=(n, 3)) * 1e3 for n in (2, 2, 1)]
    ys = [numpy.array([0, 1]), numpy.array([2, 2]), numpy.array([1])]
    with numpy.errstate(over="raise", invalid="raise"):
        loss = F.crf1d(cost.astype(numpy.float32), [x.astype(numpy.float32) for x in big], ys, reduce="no")
    exact = F.crf1d(cost.astype(numpy.float32).astype(numpy.float64),
                    [x.astype(numpy.float32).astype(numpy.float64) for x in big], ys, reduce="no")
    assert numpy.isfinite(loss.array).all() and (exact.array > 100).any()
    numpy.testing.assert_allclose(loss.array, exact.array, rtol=1e-6, atol=1e-3)


def _best(cost: Array, xs: list[Array], b: int) -> tuple[float, tuple[int, ...]]:
    sizes = [len(x) for x in xs]
    best = max(itertools.product(range(cost.shape[0]), repeat=_length(sizes, b)),
               key=lambda p: _path_score(cost, xs, b, p))
    return _path_score(cost, xs, b, best), best


@pytest.mark.parametrize("sizes", [[3, 3, 2, 1], [2, 2, 2], [3], [4, 1, 1]])
def test_argmax_crf1d_matches_enumeration(sizes: list[int]) -> None:
    cost, xs, _ = _sequences(sizes, 3)
    cv, xvs = fchain.Variable(cost), [fchain.Variable(x) for x in xs]
    score, path = F.argmax_crf1d(cv, xvs)
    assert [p.shape for p in path] == [(n,) for n in sizes] and all(p.dtype == numpy.int32 for p in path)
    for b in range(sizes[0]):
        value, best = _best(cost, xs, b)
        numpy.testing.assert_allclose(score.array[b], value, rtol=1e-13)
        assert tuple(int(path[t][b]) for t in range(len(best))) == best
    # the score's gradient: gy at the path's labels and transitions
    gy = RNG.normal(size=sizes[0])
    score.grad = gy
    score.backward()
    g_cost = numpy.zeros_like(cost)
    g_xs = [numpy.zeros_like(x) for x in xs]
    for b in range(sizes[0]):
        labels = [int(path[t][b]) for t in range(_length(sizes, b))]
        for t, y in enumerate(labels):
            g_xs[t][b, y] += gy[b]
            if t:
                g_cost[labels[t - 1], y] += gy[b]
    assert cv.grad is not None
    numpy.testing.assert_allclose(cv.grad, g_cost, rtol=1e-13)
    for xv, g in zip(xvs, g_xs):
        numpy.testing.assert_array_equal(xv.grad, g)


def test_argmax_crf1d_ties_take_the_first_label_and_the_gradient_follows_the_path() -> None:
    """Every labelling of a constant problem ties: the path is all zeros (numpy's
    argmax picks the first), and only its labels and transitions get gradient."""
    cost = numpy.zeros((2, 2))
    xs = [numpy.ones((1, 2)), numpy.ones((1, 2)), numpy.ones((1, 2))]
    cv, xvs = fchain.Variable(cost), [fchain.Variable(x) for x in xs]
    score, path = F.argmax_crf1d(cv, xvs)
    assert [int(p[0]) for p in path] == [0, 0, 0] and float(score.array[0]) == 3.0
    score.grad = numpy.array([2.0])
    score.backward()
    numpy.testing.assert_array_equal(cv.grad, [[4.0, 0.0], [0.0, 0.0]])
    for xv in xvs:
        numpy.testing.assert_array_equal(xv.grad, [[2.0, 0.0]])


A3 = numpy.ones((3, 3))
CRF_ERRORS: list[tuple[type[Exception], str, Callable[[], object]]] = [
    (ShapeError, r"crf1d: cost must be a square \(K, K\) matrix of transition costs, got shape \(3, 2\)",
     lambda: F.crf1d(A3[:, :2], [A3], [numpy.zeros(3, numpy.int32)])),
    (TypeError, r"crf1d: xs must be a non-empty list or tuple of Variables or arrays, got list \(empty\)",
     lambda: F.crf1d(A3, [], [])),
    (TypeError, r"crf1d: xs must be a non-empty list or tuple of Variables or arrays, got ndarray",
     lambda: F.crf1d(A3, bad(A3), [])),
    (ShapeError, r"crf1d: xs\[1\] must have shape \(B, 3\) \(K = cost.shape\[0\] labels\), got shape \(3, 2\)",
     lambda: F.crf1d(A3, [A3, A3[:, :2]], [numpy.zeros(3, numpy.int32)] * 2)),
    (ShapeError, r"crf1d: the batch sizes of xs must not increase and be at least 1 \(sequences sorted by "
                 r"length, longest first\), but xs\[1\] has 3 rows after 2",
     lambda: F.crf1d(A3, [A3[:2], A3], [numpy.zeros(2, numpy.int32), numpy.zeros(3, numpy.int32)])),
    (ShapeError, r"crf1d: ys has 1 time steps but xs has 2",
     lambda: F.crf1d(A3, [A3, A3], [numpy.zeros(3, numpy.int32)])),
    (ShapeError, r"crf1d: ys\[1\] must have shape \(2,\) \(one label per row of xs\[1\]\), got shape \(3,\)",
     lambda: F.crf1d(A3, [A3, A3[:2]], [numpy.zeros(3, numpy.int32)] * 2)),
    (DTypeError, r"crf1d: ys\[0\] must be an integer array of labels, got dtype float64",
     lambda: F.crf1d(A3, [A3], [numpy.zeros(3)])),
    (ValueError, r"crf1d: every label in ys\[0\] must satisfy 0 <= ys\[0\] < 3, but ys\[0\] contains \[-1, 3\]",
     lambda: F.crf1d(A3, [A3], [numpy.array([3, 0, -1])])),
    (ValueError, r"crf1d: only 'mean' and 'no' are valid for 'reduce', but 'sum' is given",
     lambda: F.crf1d(A3, [A3], [numpy.zeros(3, numpy.int32)], reduce=bad("sum"))),
    (DTypeError, r"crf1d: every xs\[t\] must have one dtype, got \['float32', 'float64'\]",
     lambda: F.crf1d(A3, [A3, A3.astype(numpy.float32)], [numpy.zeros(3, numpy.int32)] * 2)),
    (DTypeError, r"crf1d: xs has dtype float32 but cost has float64; .*",
     lambda: F.crf1d(A3, [A3.astype(numpy.float32)], [numpy.zeros(3, numpy.int32)])),
    (TypeError, r"crf1d: xs\[0\] must be a Variable, numpy.ndarray or cupy.ndarray, got str",
     lambda: F.crf1d(A3, [bad("x")], [numpy.zeros(3, numpy.int32)])),
    (ShapeError, r"argmax_crf1d: the batch sizes of xs must not increase and be at least 1 \(sequences sorted "
                 r"by length, longest first\), but xs\[0\] has 0 rows after none",
     lambda: F.argmax_crf1d(A3, [A3[:0]])),
    (ShapeError, r"argmax_crf1d: cost must be a square \(K, K\) matrix of transition costs, got shape \(3,\)",
     lambda: F.argmax_crf1d(A3[0], [A3])),
]


@pytest.mark.parametrize(("kind", "message", "call"), CRF_ERRORS,
                         ids=[f"{m.split(':')[0]}-{i}" for i, (_, m, _) in enumerate(CRF_ERRORS)])
def test_crf_bad_arguments_are_named(kind: type[Exception], message: str, call: Callable[[], object]) -> None:
    with pytest.raises(kind, match="^" + message + "$"):
        call()


# --------------------------------------------------------------------------- CTC
def _collapse(alignment: Sequence[int], blank: int) -> list[int]:
    out: list[int] = []
    previous = None
    for label in alignment:
        if label != previous and label != blank:
            out.append(label)
        previous = label
    return out


def _ctc_reference(x: list[Array], t: Array, blank: int, input_length: Array, label_length: Array
                   ) -> tuple[Array, list[Array]]:
    """Per sequence: -log of the total probability of its alignments, by
    enumeration, and the gradient of the summed loss: softmax minus each step's
    posterior label occupancy (0 past the sequence's inputs)."""
    batch, n_label = x[0].shape
    losses = numpy.zeros(batch)
    grads = [numpy.zeros_like(step) for step in x]
    for b in range(batch):
        steps = int(input_length[b])
        probs = [numpy.exp(x[i][b]) / numpy.exp(x[i][b]).sum() for i in range(steps)]
        target = [int(v) for v in t[b, :label_length[b]]]
        total, occupancy = 0.0, numpy.zeros((steps, n_label))
        for alignment in itertools.product(range(n_label), repeat=steps):
            if _collapse(alignment, blank) == target:
                p = float(numpy.prod([probs[i][k] for i, k in enumerate(alignment)]))
                total += p
                for i, k in enumerate(alignment):
                    occupancy[i, k] += p
        losses[b] = -numpy.log(total)
        for i in range(steps):
            grads[i][b] = probs[i] - occupancy[i] / total
    return losses, grads


CTC_CASES = [  # (steps, batch, labels, blank, input_length, label_length)
    (4, 2, [[1, 2], [2, 2]], 0, [4, 4], [2, 2]),
    (5, 3, [[0, 2], [3, 3], [2, 0]], 1, [5, 4, 3], [2, 2, 1]),
    (3, 2, [[1, 1], [2, 0]], 0, [3, 2], [0, 1]),
    (4, 1, [[0, 1, 0]], 2, [4], [3]),
]


@pytest.mark.parametrize(("steps", "batch", "labels", "blank", "lengths", "label_lengths"), CTC_CASES)
def test_ctc_matches_enumeration(steps: int, batch: int, labels: list[list[int]], blank: int,
                                 lengths: list[int], label_lengths: list[int]) -> None:
    x = [RNG.normal(size=(batch, 4)) for _ in range(steps)]
    t, il, ll = numpy.array(labels), numpy.array(lengths), numpy.array(label_lengths)
    losses, grads = _ctc_reference(x, t, blank, il, ll)
    per_sequence = F.connectionist_temporal_classification(x, t, blank, il, ll, reduce="no")
    assert per_sequence.shape == (batch,)
    numpy.testing.assert_allclose(per_sequence.array, losses, rtol=1e-12)
    xs = [fchain.Variable(step) for step in x]
    loss = F.connectionist_temporal_classification(xs, t, blank, il, ll)
    numpy.testing.assert_allclose(loss.array, losses.mean(), rtol=1e-12)
    loss.grad = numpy.asarray(float(batch))
    loss.backward()
    for xv, g in zip(xs, grads):
        assert xv.grad is not None
        numpy.testing.assert_allclose(xv.grad, g, rtol=1e-10, atol=1e-12)


def test_ctc_lengths_default_to_the_whole_input_and_labels() -> None:
    x = [RNG.normal(size=(2, 3)) for _ in range(5)]
    t = numpy.array([[1, 2], [2, 2]], dtype=numpy.int32)
    full = numpy.full(2, 5, numpy.int32), numpy.full(2, 2, numpy.int32)
    assert F.connectionist_temporal_classification(x, t, 0).array == \
        F.connectionist_temporal_classification(x, t, 0, *full).array


def test_ctc_is_accurate_where_the_softmax_underflows() -> None:
    """Scores 200 apart: the softmax of the needed labels underflows in float32,
    so Chainer's log(softmax) gives its log-zero and a loss near 1e10; fchain's
    log_softmax keeps the true loss (float64 enumeration)."""
    x = [numpy.array([[100.0, -100.0, 0.0]]) for _ in range(3)]
    t, blank = numpy.array([[1]]), 0
    expected, _ = _ctc_reference(x, t, blank, numpy.array([3]), numpy.array([1]))
    got = F.connectionist_temporal_classification([s.astype(numpy.float32) for s in x], t, blank)
    assert 190.0 < float(expected[0]) < 210.0
    numpy.testing.assert_allclose(got.array, expected[0], rtol=1e-6)


def test_ctc_of_labels_that_cannot_fit_is_huge_and_finite() -> None:
    """Two equal labels need a blank between them: 3 steps, not 2.  The log of 0 is
    Chainer's finite log-zero, so the loss is about 1e10 and the gradient finite."""
    x = fchain.Variable(RNG.normal(size=(1, 3)).astype(numpy.float32))
    loss = F.connectionist_temporal_classification([x, x], numpy.array([[1, 1]]), 0)
    assert 1e9 < float(loss.array) < 1e11
    loss.backward()
    assert x.grad is not None and numpy.isfinite(x.grad).all()


def test_ctc_has_no_double_backprop() -> None:
    xs = [fchain.Variable(RNG.normal(size=(1, 3))) for _ in range(3)]
    loss = F.connectionist_temporal_classification(xs, numpy.array([[1]]), 0)
    with pytest.raises(fchain.errors.NotDoubleDifferentiableError, match="connectionist_temporal_classification"):
        fchain.grad([loss], xs, enable_double_backprop=True)


X5 = [numpy.ones((2, 3))] * 4
T2 = numpy.array([[1, 2], [2, -1]])
CTC_ERRORS: list[tuple[type[Exception], str, Callable[[], object]]] = [
    (TypeError, r"connectionist_temporal_classification: x must be a non-empty list or tuple of Variables or "
                r"arrays \(one per step\), got ndarray",
     lambda: F.connectionist_temporal_classification(bad(numpy.ones((4, 2, 3))), T2, 0)),
    (TypeError, r"connectionist_temporal_classification: blank_symbol must be a non-negative int, got float",
     lambda: F.connectionist_temporal_classification(X5, T2, bad(0.0))),
    (ValueError, r"connectionist_temporal_classification: blank_symbol must be in \[0, 3\) \(the labels of x\), "
                 r"got 3",
     lambda: F.connectionist_temporal_classification(X5, T2, 3)),
    (ShapeError, r"connectionist_temporal_classification: each x\[i\] must have shape \(B, V\), got shape "
                 r"\(2, 3, 1\) for x\[0\]",
     lambda: F.connectionist_temporal_classification([numpy.ones((2, 3, 1))], T2, 0)),
    (ShapeError, r"connectionist_temporal_classification: x\[2\] has shape \(3, 3\) but x\[0\] has shape "
                 r"\(2, 3\); every step must have the same \(B, V\)",
     lambda: F.connectionist_temporal_classification(X5[:2] + [numpy.ones((3, 3))], T2, 0)),
    (ShapeError, r"connectionist_temporal_classification: t must have shape \(2, M\) \(one label sequence per "
                 r"row of x\[i\]\), got shape \(3, 2\)",
     lambda: F.connectionist_temporal_classification(X5, numpy.ones((3, 2), numpy.int32), 0)),
    (ValueError, r"connectionist_temporal_classification: every label of t within label_length must be in "
                 r"\[0, 3\) \(the labels of x\), got \[-1\]",
     lambda: F.connectionist_temporal_classification(X5, T2, 0)),
    (ValueError, r"connectionist_temporal_classification: every entry of input_length must be in \[1, 4\] "
                 r"\(the number of steps in x\), got \[5\]",
     lambda: F.connectionist_temporal_classification(X5, T2, 0, numpy.array([4, 5]), numpy.array([2, 1]))),
    (ValueError, r"connectionist_temporal_classification: every entry of label_length must be in \[0, 2\] "
                 r"\(the width of t\), got \[-1\]",
     lambda: F.connectionist_temporal_classification(X5, T2, 0, numpy.array([4, 4]), numpy.array([-1, 1]))),
    (ShapeError, r"connectionist_temporal_classification: label_length must have shape \(2,\) \(one length "
                 r"per sequence\), got shape \(1,\)",
     lambda: F.connectionist_temporal_classification(X5, T2, 0, numpy.array([4, 4]), numpy.array([2]))),
    (DTypeError, r"connectionist_temporal_classification: input_length must be an integer array, got dtype "
                 r"float64",
     lambda: F.connectionist_temporal_classification(X5, T2, 0, numpy.array([4.0, 4.0]), numpy.array([2, 1]))),
    (ValueError, r"connectionist_temporal_classification: only 'mean' and 'no' are valid for 'reduce', but "
                 r"'sum' is given",
     lambda: F.connectionist_temporal_classification(X5, T2, 0, reduce=bad("sum"))),
]


@pytest.mark.parametrize(("kind", "message", "call"), CTC_ERRORS,
                         ids=[f"ctc-{i}" for i in range(len(CTC_ERRORS))])
def test_ctc_bad_arguments_are_named(kind: type[Exception], message: str, call: Callable[[], object]) -> None:
    with pytest.raises(kind, match="^" + message + "$"):
        call()


def test_ctc_labels_past_label_length_are_ignored() -> None:
    """Padding labels (here -1 and 7) are never read: the loss is that of the
    truncated sequences."""
    x = [RNG.normal(size=(2, 3)) for _ in range(4)]
    padded = numpy.array([[1, -1], [2, 7]])
    short = numpy.array([[1], [2]])
    ll = numpy.array([1, 1])
    il = numpy.array([4, 4])
    numpy.testing.assert_array_equal(F.connectionist_temporal_classification(x, padded, 0, il, ll).array,
                                     F.connectionist_temporal_classification(x, short, 0, il, ll).array)
