"""Forward values, conventions and bad-input errors of the loss and evaluation functions.

Every expected value is computed here with plain numpy written independently of
fchain (loops over elements where that is clearer), or is a number printed in
Chainer's documentation.  Gradients are property-tested in ``test_op_gradients``;
here only the exact conventions (kinks, ignored labels) are pinned.
"""

from __future__ import annotations

import math
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.errors import DTypeError, ShapeError
from fchain.types import Array

RNG = numpy.random.default_rng(20240611)


def _log_softmax_row(row: Array) -> Array:
    shifted: Array = row - row.max()
    out: Array = shifted - math.log(float(numpy.exp(shifted).sum()))
    return out


def _sce_reference(x: Array, t: Array, *, normalize: bool = True, class_weight: Array | None = None,
                   ignore_label: int = -1, reduce: str = "mean") -> Array:
    """Softmax cross entropy by looping over every (sample, position) element."""
    xm = numpy.moveaxis(x, 1, -1).reshape(-1, x.shape[1]).astype(numpy.float64)
    tf = t.reshape(-1)
    per = numpy.zeros(tf.shape, dtype=numpy.float64)
    for i, label in enumerate(tf):
        if label == ignore_label:
            continue
        w = 1.0 if class_weight is None else float(class_weight[label])
        per[i] = -w * _log_softmax_row(xm[i])[label]
    if reduce == "no":
        return per.reshape(t.shape)
    count = int((tf != ignore_label).sum()) if normalize else x.shape[0]
    return numpy.asarray(per.sum() / max(count, 1))


def _labels(shape: tuple[int, ...], n_class: int, ignore_frac: float = 0.3) -> Array:
    t = RNG.integers(0, n_class, size=shape).astype(numpy.int32)
    t[RNG.uniform(size=shape) < ignore_frac] = -1
    return t


# --------------------------------------------------------------------------- softmax_cross_entropy
@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2), (2, 3, 2, 2)])
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("reduce", ["mean", "no"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
def test_softmax_cross_entropy_matches_numpy(shape: tuple[int, ...], normalize: bool, reduce: Any,
                                             weighted: bool, dtype: Any) -> None:
    x = RNG.normal(size=shape).astype(dtype) * 3
    t = _labels((shape[0],) + shape[2:], shape[1])
    w = RNG.uniform(0.5, 2.0, size=shape[1]) if weighted else None
    y = F.softmax_cross_entropy(x, t, normalize=normalize, class_weight=w, reduce=reduce)
    expected = _sce_reference(x, t, normalize=normalize, class_weight=w, reduce=reduce)
    assert y.dtype == dtype
    assert y.shape == expected.shape
    tol = 1e-12 if dtype == numpy.float64 else 2e-6
    numpy.testing.assert_allclose(y.array, expected, rtol=tol, atol=tol)


def test_softmax_cross_entropy_chainer_docs_example() -> None:
    x = numpy.array([[-1, 0, 1, 2], [2, 0, 1, -1]], dtype=numpy.float32)
    t = numpy.array([3, 0], dtype=numpy.int32)
    y = F.softmax_cross_entropy(x, t)
    assert y.dtype == numpy.float32 and y.shape == ()
    numpy.testing.assert_allclose(y.array, 0.44018972, rtol=1e-6)


def test_softmax_cross_entropy_ignore_label_other_than_minus_one() -> None:
    x = RNG.normal(size=(6, 3))
    t = numpy.array([0, 1, 2, 2, 0, 1], dtype=numpy.int64)
    y = F.softmax_cross_entropy(x, t, ignore_label=2)
    numpy.testing.assert_allclose(y.array, _sce_reference(x, t, ignore_label=2), rtol=1e-12)
    per = F.softmax_cross_entropy(x, t, ignore_label=2, reduce="no").array
    assert per[2] == 0.0 and per[3] == 0.0 and (per[[0, 1, 4, 5]] > 0).all()


def test_softmax_cross_entropy_all_ignored_is_zero_with_zero_gradient() -> None:
    x = fchain.Variable(RNG.normal(size=(3, 4)).astype(numpy.float32))
    t = numpy.full(3, -1, dtype=numpy.int32)
    for normalize in (True, False):
        loss = F.softmax_cross_entropy(x, t, normalize=normalize)
        assert float(loss.array) == 0.0
        x.grad = None
        loss.backward()
        assert x.grad is not None and not x.grad.any()


def test_softmax_cross_entropy_is_stable_for_huge_logits() -> None:
    x = numpy.array([[1000.0, 0.0, -1000.0], [-1e4, 1e4, 0.0]], dtype=numpy.float32)
    t = numpy.array([1, 1], dtype=numpy.int32)
    v = fchain.Variable(x)
    with numpy.errstate(over="raise", invalid="raise", divide="raise"):
        loss = F.softmax_cross_entropy(v, t)
        loss.backward()
    # row 0: -log_softmax[1] = 1000; row 1: 0
    numpy.testing.assert_allclose(loss.array, 500.0, rtol=1e-6)
    assert v.grad is not None and numpy.isfinite(v.grad).all()
    numpy.testing.assert_allclose(v.grad, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-6)


@pytest.mark.parametrize("cache_score", [True, False])
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_softmax_cross_entropy_gradient_formula(cache_score: bool, reduce: Any) -> None:
    x = RNG.normal(size=(4, 5, 2))
    t = numpy.array([[0, -1], [4, 2], [-1, -1], [1, 3]])
    w = RNG.uniform(0.5, 2.0, size=5)
    v = fchain.Variable(x)
    loss = F.softmax_cross_entropy(v, t, class_weight=w, cache_score=cache_score, reduce=reduce)
    gy = numpy.asarray(1.0) if reduce == "mean" else RNG.normal(size=t.shape)
    loss.grad = gy
    loss.backward()
    # independent gradient: (softmax - onehot) * w[t] * gy / count, zero at ignored labels
    e = numpy.exp(x - x.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    expected = numpy.zeros_like(x)
    count = (t != -1).sum()
    for n in range(4):
        for k in range(2):
            label = t[n, k]
            if label == -1:
                continue
            row = p[n, :, k].copy()
            row[label] -= 1.0
            scale = w[label] * (gy / count if reduce == "mean" else gy[n, k])
            expected[n, :, k] = row * scale
    assert v.grad is not None
    numpy.testing.assert_allclose(v.grad, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("ignore_label", [-1, 0])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduce", ["mean", "no"])
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("double", [False, True])
def test_softmax_cross_entropy_2d_path_agrees_with_the_general_path(
        ignore_label: int, weighted: bool, reduce: Any, normalize: bool, double: bool) -> None:
    # 2-d scores take the row-indexed path; the same scores with a trailing axis of
    # size 1 take the one-hot path.  Loss, gradient and second-order gradient agree.
    x = RNG.normal(size=(6, 4))
    t = numpy.array([0, 3, -1, 2, 0, 1]) if ignore_label == -1 else numpy.array([0, 3, 1, 2, 0, 1])
    w = RNG.uniform(0.5, 2.0, size=4) if weighted else None
    u = RNG.normal(size=x.shape)
    results = []
    for xs, ts in ((x, t), (x[:, :, None], t[:, None])):
        v = fchain.Variable(xs.copy())
        loss = F.softmax_cross_entropy(v, ts, normalize=normalize, class_weight=w,
                                       ignore_label=ignore_label, reduce=reduce,
                                       enable_double_backprop=double)
        total = F.sum(loss * numpy.arange(1.0, 7.0).reshape(loss.shape)) if reduce == "no" else loss
        (g1,) = fchain.grad([total], [v])  # first order: the rules run on arrays
        (gx,) = fchain.grad([total], [v], enable_double_backprop=True)
        assert g1 is not None and gx is not None
        numpy.testing.assert_allclose(g1.array, gx.array, rtol=1e-12, atol=1e-14)
        (ggx,) = fchain.grad([F.sum(gx * u.reshape(xs.shape))], [v])
        assert ggx is not None
        results.append((loss.array.reshape(-1), g1.array.reshape(x.shape), ggx.array.reshape(x.shape)))
    for got, expected in zip(results[0], results[1]):
        numpy.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert numpy.abs(results[0][1]).sum() > 0


def test_softmax_cross_entropy_second_order_without_enable_double_backprop() -> None:
    # d/dx of (d loss / d x . u) for loss = -log_softmax(x)[t]: the Hessian of the
    # log-sum-exp, diag(p) - p p^T, applied to u; checked against numpy.
    x = RNG.normal(size=(1, 4))
    t = numpy.array([2])
    u = RNG.normal(size=(1, 4))
    v = fchain.Variable(x)
    loss = F.softmax_cross_entropy(v, t)  # cache_score on, enable_double_backprop off
    (gx,) = fchain.grad([loss], [v], enable_double_backprop=True)
    assert gx is not None
    (ggx,) = fchain.grad([F.sum(gx * u)], [v])
    e = numpy.exp(x[0] - x[0].max())
    p = e / e.sum()
    hessian = numpy.diag(p) - numpy.outer(p, p)
    assert ggx is not None
    numpy.testing.assert_allclose(ggx.array[0], hessian @ u[0], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["cross-entropy", "kl-divergence"])
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_softmax_cross_entropy_soft_targets(kind: Any, reduce: Any) -> None:
    x = RNG.normal(size=(3, 4, 2))
    t = RNG.uniform(0.0, 1.0, size=(3, 4, 2))
    t /= t.sum(axis=1, keepdims=True)
    y = F.softmax_cross_entropy(x, t, reduce=reduce, soft_target_loss=kind)
    per = numpy.zeros((3, 2))
    for n in range(3):
        for k in range(2):
            log_p = _log_softmax_row(x[n, :, k])
            if kind == "cross-entropy":
                per[n, k] = -(t[n, :, k] * log_p).sum()
            else:
                per[n, k] = (t[n, :, k] * (numpy.log(t[n, :, k] + 1e-7) - log_p)).sum()
    expected = per if reduce == "no" else per.sum() / 6
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-12)
    v = fchain.Variable(x)
    F.sum(F.softmax_cross_entropy(v, t, reduce="no", soft_target_loss=kind)).backward()
    e = numpy.exp(x - x.max(axis=1, keepdims=True))
    assert v.grad is not None
    numpy.testing.assert_allclose(v.grad, e / e.sum(axis=1, keepdims=True) - t, atol=1e-12)


def test_softmax_cross_entropy_accepts_variable_labels() -> None:
    x = RNG.normal(size=(4, 3)).astype(numpy.float32)
    t = numpy.array([0, 2, 1, -1], dtype=numpy.int32)
    a = F.softmax_cross_entropy(fchain.Variable(x), fchain.Variable(t))
    b = F.softmax_cross_entropy(x, t)
    assert float(a.array) == float(b.array)


@pytest.mark.parametrize("bad", [3, -2, 7])
def test_softmax_cross_entropy_rejects_labels_out_of_range(bad: int) -> None:
    x = RNG.normal(size=(3, 3)).astype(numpy.float32)
    t = numpy.array([0, bad, -1], dtype=numpy.int32)
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: .*label in t.*0 <= t < 3.*ignore_label") as info:
        F.softmax_cross_entropy(x, t)
    assert str(bad) in str(info.value)


_SIGNED = [numpy.int8, numpy.int16, numpy.int32]
_UNSIGNED = [numpy.uint8, numpy.uint16, numpy.uint32]


@pytest.mark.parametrize(("dtype", "ignored"), [(d, False) for d in _SIGNED + _UNSIGNED]
                         + [(d, True) for d in _SIGNED])  # an unsigned label is never -1
def test_softmax_cross_entropy_labels_of_every_integer_dtype_agree_with_int64(dtype: Any, ignored: bool) -> None:
    # Labels of at most 4 bytes are checked by the forward's pick (an IndexError
    # for a label outside [0, C) sends it to the checked, masked path); 8-byte
    # labels are checked before.  Both must give the same bits.
    x = RNG.normal(size=(6, 5)).astype(numpy.float32)
    t64 = numpy.array([0, 4, -1, 2, -1, 3] if ignored else [0, 4, 1, 2, 2, 3], dtype=numpy.int64)
    expected = fchain.Variable(x.copy())
    loss64 = F.softmax_cross_entropy(expected, t64)
    loss64.backward()
    for _ in range(2):  # the second call runs on what the first one left behind
        got = fchain.Variable(x.copy())
        loss = F.softmax_cross_entropy(got, t64.astype(dtype))
        loss.backward()
        assert loss.array.tobytes() == loss64.array.tobytes()
        assert got.grad is not None and expected.grad is not None
        assert got.grad.tobytes() == expected.grad.tobytes()


@pytest.mark.parametrize("dtype", [numpy.int8, numpy.int32, numpy.int64])
@pytest.mark.parametrize("bad", [-2, 5, 100])
def test_softmax_cross_entropy_bad_label_message_is_the_same_for_every_dtype(dtype: Any, bad: int) -> None:
    x = RNG.normal(size=(3, 5)).astype(numpy.float32)
    with pytest.raises(ValueError) as info:
        F.softmax_cross_entropy(x, numpy.array([0, bad, -1], dtype=dtype))
    assert str(info.value) == (f"softmax_cross_entropy: every label in t must satisfy 0 <= t < 5 or "
                               f"t == -1 (ignore_label), but t contains [{bad}]")


def test_softmax_cross_entropy_ignore_label_does_not_excuse_other_negatives() -> None:
    x = RNG.normal(size=(3, 3))
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: .* t contains \[-1\]"):
        F.softmax_cross_entropy(x, numpy.array([-1, 1, 2]), ignore_label=-5)
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: .* t contains \[-1\]"):
        F.softmax_cross_entropy(x, numpy.array([-5, -1, 2]), ignore_label=-5)
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: .* t contains \[-1\]"):
        F.softmax_cross_entropy(x, numpy.array([-1, -1, -1]), ignore_label=3)
    # a far-away ignore_label, alone or mixed with valid labels, is accepted
    ok = F.softmax_cross_entropy(x, numpy.array([-5, 0, 2]), ignore_label=-5, reduce="no")
    assert float(ok.array[0]) == 0.0 and (ok.array[1:] > 0).all()
    assert float(F.softmax_cross_entropy(x, numpy.full(3, 7), ignore_label=7).array) == 0.0


def test_softmax_cross_entropy_bad_arguments() -> None:
    x = RNG.normal(size=(4, 3)).astype(numpy.float32)
    t = numpy.array([0, 1, 2, 0], dtype=numpy.int32)
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: t has shape \(3,\)"):
        F.softmax_cross_entropy(x, t[:3])
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: x must have shape \(N, C\)"):
        F.softmax_cross_entropy(x[0], t[:1])
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: class_weight must have shape \(3,\)"):
        F.softmax_cross_entropy(x, t, class_weight=numpy.ones(4, dtype=numpy.float32))
    with pytest.raises(TypeError, match="softmax_cross_entropy: class_weight .* not a Variable"):
        F.softmax_cross_entropy(x, t, class_weight=fchain.Variable(numpy.ones(3, numpy.float32)))  # type: ignore[arg-type]  # the wrong call under test
    with pytest.raises(DTypeError, match="softmax_cross_entropy: class_weight must be a floating"):
        F.softmax_cross_entropy(x, t, class_weight=numpy.ones(3, dtype=numpy.int32))
    with pytest.raises(ValueError, match="softmax_cross_entropy: only 'mean' and 'no'"):
        F.softmax_cross_entropy(x, t, reduce="sum")  # type: ignore[arg-type]  # the wrong call under test
    with pytest.raises(ValueError, match="softmax_cross_entropy: soft_target_loss"):
        F.softmax_cross_entropy(x, t, soft_target_loss="l2")  # type: ignore[arg-type]  # the wrong call under test
    with pytest.raises(DTypeError, match="softmax_cross_entropy: t must hold integer labels"):
        F.softmax_cross_entropy(x, t.astype(bool))
    with pytest.raises(DTypeError, match="softmax_cross_entropy: x must be a floating"):
        F.softmax_cross_entropy(t.reshape(2, 2), t[:2])
    with pytest.raises(ShapeError, match="softmax_cross_entropy: soft targets t must have x's shape"):
        F.softmax_cross_entropy(x, numpy.ones((4, 2), dtype=numpy.float32))


def test_softmax_cross_entropy_class_weight_dtype_follows_x() -> None:
    x = RNG.normal(size=(4, 3)).astype(numpy.float32)
    t = numpy.array([0, 1, 2, 0], dtype=numpy.int32)
    y = F.softmax_cross_entropy(x, t, class_weight=numpy.array([1.0, 2.0, 0.5]))
    assert y.dtype == numpy.float32


# --------------------------------------------------------------------------- sigmoid_cross_entropy
def _sigmoid_ce_reference(x: Array, t: Array, normalize: bool = True, reduce: str = "mean") -> Array:
    x64 = x.astype(numpy.float64)
    p = 1.0 / (1.0 + numpy.exp(-x64))
    per = numpy.where(t == -1, 0.0, -(t * numpy.log(p) + (1 - t) * numpy.log(1 - p)))
    if reduce == "no":
        return per
    count = int((t != -1).sum()) if normalize else x.shape[0]
    return numpy.asarray(per.sum() / max(count, 1))


@pytest.mark.parametrize("shape", [(6,), (3, 4), (2, 3, 2)])
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("reduce", ["mean", "no"])
@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
def test_sigmoid_cross_entropy_matches_numpy(shape: tuple[int, ...], normalize: bool, reduce: Any,
                                             dtype: Any) -> None:
    x = (RNG.normal(size=shape) * 3).astype(dtype)
    t = RNG.integers(-1, 2, size=shape).astype(numpy.int32)
    y = F.sigmoid_cross_entropy(x, t, normalize=normalize, reduce=reduce)
    assert y.dtype == dtype and y.shape == (() if reduce == "mean" else shape)
    tol = 1e-12 if dtype == numpy.float64 else 3e-6
    numpy.testing.assert_allclose(y.array, _sigmoid_ce_reference(x, t, normalize, reduce), rtol=tol, atol=tol)


def test_sigmoid_cross_entropy_chainer_docs_example() -> None:
    x = numpy.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=numpy.float32)
    t = numpy.array([[0, 1, 0], [1, 1, -1]], dtype=numpy.int32)
    numpy.testing.assert_allclose(F.sigmoid_cross_entropy(x, t).array, 0.25664714, rtol=1e-6)
    numpy.testing.assert_allclose(F.sigmoid_cross_entropy(x, t, normalize=False).array, 0.64161783, rtol=1e-6)
    numpy.testing.assert_allclose(
        F.sigmoid_cross_entropy(x, t, reduce="no").array,
        [[0.126928, 0.04858735, 0.974077], [0.00671535, 0.126928, 0.0]], rtol=1e-5)


def test_sigmoid_cross_entropy_is_stable_and_its_gradient_too() -> None:
    x = fchain.Variable(numpy.array([-1000.0, 1000.0, -50.0, 50.0], dtype=numpy.float32))
    t = numpy.array([1, 0, 0, 1], dtype=numpy.int32)
    with numpy.errstate(over="raise", invalid="raise", divide="raise"):
        loss = F.sigmoid_cross_entropy(x, t, reduce="no")
        F.sum(loss).backward()
    numpy.testing.assert_allclose(loss.array, [1000.0, 1000.0, 0.0, 0.0], atol=1e-6)
    assert x.grad is not None
    numpy.testing.assert_allclose(x.grad, [-1.0, 1.0, 0.0, 0.0], atol=1e-6)


def test_sigmoid_cross_entropy_gradient_and_ignored_labels() -> None:
    x = RNG.normal(size=(3, 2))
    t = numpy.array([[1, -1], [0, 1], [-1, -1]])
    v = fchain.Variable(x)
    F.sigmoid_cross_entropy(v, t).backward()
    p = 1 / (1 + numpy.exp(-x))
    expected = numpy.where(t == -1, 0.0, (p - t) / 3)
    assert v.grad is not None
    numpy.testing.assert_allclose(v.grad, expected, rtol=1e-12, atol=1e-15)
    allign = F.sigmoid_cross_entropy(x, numpy.full((3, 2), -1))
    assert float(allign.array) == 0.0


def test_sigmoid_cross_entropy_bad_arguments() -> None:
    x = RNG.normal(size=(2, 3)).astype(numpy.float32)
    with pytest.raises(ShapeError, match=r"sigmoid_cross_entropy: t has shape \(2, 2\) but x has shape \(2, 3\)"):
        F.sigmoid_cross_entropy(x, numpy.zeros((2, 2), dtype=numpy.int32))
    with pytest.raises(ValueError, match=r"sigmoid_cross_entropy: every label in t .*\[2\]"):
        F.sigmoid_cross_entropy(x, numpy.array([[0, 1, 2], [0, 0, 0]], dtype=numpy.int32))
    with pytest.raises(DTypeError, match="sigmoid_cross_entropy: t must be an integer array"):
        F.sigmoid_cross_entropy(x, numpy.zeros((2, 3), dtype=numpy.float32))
    with pytest.raises(ValueError, match="sigmoid_cross_entropy: only 'mean' and 'no'"):
        F.sigmoid_cross_entropy(x, numpy.zeros((2, 3), dtype=numpy.int32), reduce="sum")  # type: ignore[arg-type]  # the wrong call under test


# --------------------------------------------------------------------------- mean errors
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
def test_mean_squared_and_absolute_error_match_numpy(shape: tuple[int, ...], dtype: Any) -> None:
    a = RNG.normal(size=shape).astype(dtype)
    b = RNG.normal(size=shape).astype(dtype)
    diffs = [float(p) - float(q) for p, q in zip(numpy.ravel(a), numpy.ravel(b))]
    mse = F.mean_squared_error(a, b)
    mae = F.mean_absolute_error(a, b)
    assert mse.dtype == dtype and mse.shape == () and mae.dtype == dtype and mae.shape == ()
    tol = 1e-12 if dtype == numpy.float64 else 2e-6
    numpy.testing.assert_allclose(mse.array, sum(d * d for d in diffs) / len(diffs), rtol=tol)
    numpy.testing.assert_allclose(mae.array, sum(abs(d) for d in diffs) / len(diffs), rtol=tol)


def test_mean_absolute_error_chainer_docs_examples() -> None:
    x = numpy.array([[1, 2], [3, 4]], dtype=numpy.float32)
    assert float(F.mean_absolute_error(x, numpy.full((2, 2), 8, numpy.float32)).array) == 5.5
    x3 = numpy.arange(1, 9, dtype=numpy.float32).reshape(2, 2, 2)
    assert float(F.mean_absolute_error(x3, numpy.full((2, 2, 2), 8, numpy.float32)).array) == 3.5


def test_mean_squared_error_gradients() -> None:
    a = fchain.Variable(numpy.array([1.0, 2.0, 4.0]))
    b = fchain.Variable(numpy.array([0.0, 2.5, 1.0]))
    F.mean_squared_error(a, b).backward()
    assert a.grad is not None and b.grad is not None
    numpy.testing.assert_allclose(a.grad, [2 * 1.0 / 3, 2 * -0.5 / 3, 2 * 3.0 / 3])
    numpy.testing.assert_allclose(b.grad, -a.grad)


def test_mean_absolute_error_kink_convention_is_zero_gradient() -> None:
    a = fchain.Variable(numpy.array([1.0, 2.0, 3.0, -1.0], dtype=numpy.float32))
    b = fchain.Variable(numpy.array([1.0, 0.0, 5.0, -1.0], dtype=numpy.float32))
    F.mean_absolute_error(a, b).backward()
    assert a.grad is not None and b.grad is not None
    assert a.grad.tolist() == [0.0, 0.25, -0.25, 0.0]
    assert b.grad.tolist() == [0.0, -0.25, 0.25, 0.0]


@pytest.mark.parametrize("fn", [F.mean_squared_error, F.mean_absolute_error])
def test_mean_errors_bad_arguments(fn: Any) -> None:
    name = fn.__name__
    with pytest.raises(ShapeError, match=rf"{name}: x1 has shape \(3,\) but x0 has shape \(2,\)"):
        fn(numpy.zeros(2), numpy.zeros(3))
    with pytest.raises(DTypeError, match=name):
        fn(numpy.zeros(2, numpy.float32), numpy.zeros(2, numpy.float64))
    with pytest.raises(DTypeError, match=name):
        fn(numpy.zeros(2, numpy.int32), numpy.zeros(2, numpy.int32))


# --------------------------------------------------------------------------- accuracy
def test_accuracy_chainer_docs_examples() -> None:
    y = numpy.array([[0.1, 0.7, 0.2], [8.0, 1.0, 2.0], [-8.0, 1.0, 2.0], [-8.0, -1.0, -2.0]])
    assert float(F.accuracy(y, numpy.array([1, 0, 2, 1], numpy.int32)).array) == 1.0
    t = numpy.array([1, 0, 0, 0], numpy.int32)
    assert float(F.accuracy(y, t).array) == 0.5
    assert float(F.accuracy(y, t, ignore_label=0).array) == 1.0


@pytest.mark.parametrize("ignore_label", [None, -1, 1])
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_accuracy_matches_numpy(ignore_label: int | None, dtype: Any) -> None:
    y = RNG.normal(size=(7, 3, 2)).astype(dtype)
    t = RNG.integers(-1, 3, size=(7, 2)).astype(numpy.int32)
    acc = F.accuracy(y, t, ignore_label=ignore_label)
    right = total = 0
    for n in range(7):
        for k in range(2):
            if ignore_label is not None and t[n, k] == ignore_label:
                continue
            total += 1
            right += int(int(numpy.argmax(y[n, :, k])) == t[n, k])
    assert acc.dtype == dtype and acc.shape == ()
    assert float(acc.array) == pytest.approx(right / total, rel=1e-6)


def test_accuracy_all_ignored_is_zero_in_y_dtype() -> None:
    y = RNG.normal(size=(3, 4)).astype(numpy.float32)
    acc = F.accuracy(y, numpy.full(3, -1, numpy.int32), ignore_label=-1)
    assert acc.dtype == numpy.float32 and float(acc.array) == 0.0


def test_accuracy_accepts_trailing_unit_axes_and_variables() -> None:
    y = numpy.array([[[0.1], [0.9]], [[0.8], [0.2]]], dtype=numpy.float32)
    acc = F.accuracy(fchain.Variable(y), fchain.Variable(numpy.array([1, 1], numpy.int32)))
    assert float(acc.array) == 0.5


def test_accuracy_has_no_gradient() -> None:
    y = fchain.Variable(RNG.normal(size=(3, 4)))
    acc = F.accuracy(y, numpy.array([0, 1, 2]))
    if acc.creator is not None:
        acc.backward()
    assert y.grad is None


def test_accuracy_bad_arguments() -> None:
    y = RNG.normal(size=(4, 3)).astype(numpy.float32)
    with pytest.raises(ShapeError, match=r"accuracy: t has shape \(3,\) but y has shape \(4, 3\)"):
        F.accuracy(y, numpy.zeros(3, numpy.int32))
    with pytest.raises(ShapeError, match="accuracy: t has shape"):
        F.accuracy(numpy.zeros((4, 3, 2), numpy.float32), numpy.zeros(4, numpy.int32))
    with pytest.raises(DTypeError, match="accuracy: t must be an integer array"):
        F.accuracy(y, numpy.zeros(4, numpy.float32))
    with pytest.raises(DTypeError, match="accuracy: y must be a floating"):
        F.accuracy(numpy.zeros((4, 3), numpy.int32), numpy.zeros(4, numpy.int32))


# --------------------------------------------------------------------------- binary_accuracy
def test_binary_accuracy_chainer_docs_examples() -> None:
    y = numpy.array([[-2.0, 0.0], [3.0, -5.0]])
    assert float(F.binary_accuracy(y, numpy.array([[0, 1], [1, 0]], numpy.int32)).array) == 1.0
    assert float(F.binary_accuracy(y, numpy.array([[0, 0], [1, 1]], numpy.int32)).array) == 0.5
    assert float(F.binary_accuracy(y, numpy.array([[0, -1], [1, -1]], numpy.int32)).array) == 1.0


def test_binary_accuracy_threshold_zero_predicts_positive() -> None:
    y = numpy.zeros(2, dtype=numpy.float32)
    assert float(F.binary_accuracy(y, numpy.array([1, 1])).array) == 1.0
    assert float(F.binary_accuracy(y, numpy.array([0, 0])).array) == 0.0


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_binary_accuracy_matches_numpy_and_all_ignored(dtype: Any) -> None:
    y = RNG.normal(size=(5, 3)).astype(dtype)
    t = RNG.integers(-1, 2, size=(5, 3)).astype(numpy.int32)
    pairs = [(float(a), int(b)) for a, b in zip(y.ravel(), t.ravel()) if b != -1]
    expected = sum(int((a >= 0) == (b == 1)) for a, b in pairs) / len(pairs)
    acc = F.binary_accuracy(y, t)
    assert acc.dtype == dtype and acc.shape == ()
    assert float(acc.array) == pytest.approx(expected, rel=1e-6)
    none = F.binary_accuracy(y, numpy.full((5, 3), -1, numpy.int32))
    assert none.dtype == dtype and float(none.array) == 0.0


def test_binary_accuracy_bad_arguments() -> None:
    with pytest.raises(ShapeError, match=r"binary_accuracy: t has shape \(3,\) but y has shape \(2,\)"):
        F.binary_accuracy(numpy.zeros(2), numpy.zeros(3, numpy.int32))
    with pytest.raises(DTypeError, match="binary_accuracy: t must be an integer array"):
        F.binary_accuracy(numpy.zeros(2), numpy.zeros(2))


def test_accuracy_of_more_elements_than_float16_can_count() -> None:
    # 80,000 labels: the count fits in float16 (< 65504) but the number of elements
    # does not; the accuracy must still be the fraction of hits, rounded to float16.
    y = RNG.random((2, 3, 200, 200)).astype(numpy.float16)
    t = RNG.integers(0, 3, (2, 200, 200)).astype(numpy.int32)
    got = F.accuracy(y, t).array
    assert got.dtype == numpy.float16
    expected = float((y.argmax(axis=1) == t).sum()) / t.size
    assert abs(float(got) - expected) <= 1e-3 * expected
    empty = F.accuracy(numpy.zeros((0, 3), numpy.float32), numpy.zeros(0, numpy.int32)).array
    assert numpy.isnan(empty), "the mean of no hits is nan, as numpy's (and Chainer's) mean"


# ------------------------------------------------- the training step's calls
@pytest.mark.parametrize("label_dtype", [numpy.int8, numpy.int32, numpy.int64, numpy.uint8])
@pytest.mark.parametrize("dtype", [numpy.float16, numpy.float32, numpy.float64])
def test_softmax_cross_entropy_labels_as_array_or_variable_agree(dtype: Any, label_dtype: Any) -> None:
    """The default call on 2-d scores (what ``L.Classifier`` does every step) gives
    the same loss and gradient, bit for bit, for array and Variable labels of every
    integer type, and the reference value."""
    x_data = RNG.standard_normal((5, 4)).astype(dtype)
    t = numpy.array([3, 0, 1, 3, 2], dtype=label_dtype)
    checked_x = fchain.Variable(x_data.copy())
    checked = F.softmax_cross_entropy(checked_x, fchain.Variable(t))
    checked.backward()
    fast_x = fchain.Variable(x_data.copy())
    fast = F.softmax_cross_entropy(fast_x, t)
    fast.backward()
    assert fast.dtype == dtype
    numpy.testing.assert_array_equal(fast.array, checked.array)
    assert fast_x.grad is not None and checked_x.grad is not None
    numpy.testing.assert_array_equal(fast_x.grad, checked_x.grad)
    numpy.testing.assert_allclose(float(fast.array), float(_sce_reference(x_data, t)),
                                  rtol=1e-2 if dtype == numpy.float16 else 1e-6)


@pytest.mark.parametrize("label_dtype", [numpy.int8, numpy.int16, numpy.int32, numpy.int64])
@pytest.mark.parametrize("labels", [[0, -1, 2], [0, 1, -2], [0, 3, 1], [0, 1, 100], [0, -3, 1]])
def test_softmax_cross_entropy_labels_outside_the_classes_take_the_checked_path(
        labels: list[int], label_dtype: Any) -> None:
    """An ignored label (-1) is still ignored, and any other label outside the
    classes is still reported, when the call otherwise fits the shortcut (whatever
    the labels' integer type: a negative label must never pick a class from the end)."""
    x = RNG.standard_normal((3, 3)).astype(numpy.float32)
    t = numpy.array(labels, dtype=label_dtype)
    if labels[1] == -1:
        loss = F.softmax_cross_entropy(x, t)
        numpy.testing.assert_allclose(float(loss.array), float(_sce_reference(x, t)), rtol=1e-6)
        return
    with pytest.raises(ValueError, match=r"^softmax_cross_entropy: every label in t must satisfy 0 <= t < 3"):
        F.softmax_cross_entropy(x, t)


@pytest.mark.parametrize("label", [3, 2**31, 2**63, 2**64 - 1])
def test_softmax_cross_entropy_unsigned_labels_past_the_classes_are_reported(label: int) -> None:
    x = RNG.standard_normal((2, 3)).astype(numpy.float32)
    t = numpy.array([0, label], dtype=numpy.uint64)
    with pytest.raises(ValueError, match=r"^softmax_cross_entropy: every label in t must satisfy 0 <= t < 3"):
        F.softmax_cross_entropy(x, t)


def test_softmax_cross_entropy_near_misses_of_the_training_step_are_named() -> None:
    """Calls that look like the training step but do not fit it get errors naming
    the function and the argument."""
    x = RNG.standard_normal((3, 4)).astype(numpy.float32)
    with pytest.raises(ShapeError, match=r"^softmax_cross_entropy: t has shape \(2,\)"):
        F.softmax_cross_entropy(x, numpy.array([0, 1], dtype=numpy.int32))
    with pytest.raises(DTypeError, match="^softmax_cross_entropy: x must be a floating-point array"):
        F.softmax_cross_entropy(x.astype(numpy.int32), numpy.array([0, 1, 2], dtype=numpy.int32))
    with pytest.raises(ValueError, match=r"^softmax_cross_entropy: x has no data \(an uninitialized Parameter\)"):
        F.softmax_cross_entropy(fchain.Parameter(), numpy.array([0, 1, 2], dtype=numpy.int32))
    with pytest.raises(DTypeError, match="^softmax_cross_entropy: t must hold integer labels"):
        F.softmax_cross_entropy(x, numpy.array([True, False, True]))
    empty = F.softmax_cross_entropy(numpy.zeros((0, 4), numpy.float32), numpy.zeros(0, numpy.int32))
    assert float(empty.array) == 0.0


def test_accuracy_labels_as_array_or_variable_agree() -> None:
    """Array and Variable labels give the same value; every malformed call is
    reported naming the argument."""
    y = numpy.array([[0.1, 0.7, 0.2], [8.0, 1.0, 2.0], [-8.0, 1.0, 2.0], [-8.0, -1.0, -2.0]], numpy.float32)
    t = numpy.array([1, 0, 0, 0], dtype=numpy.int64)
    checked = F.accuracy(fchain.Variable(y), fchain.Variable(t))
    fast = F.accuracy(fchain.Variable(y), t)
    assert fast.dtype == numpy.float32 and (fast.creator is None) == (checked.creator is None)
    numpy.testing.assert_array_equal(fast.array, checked.array)
    assert float(fast.array) == 0.5
    with pytest.raises(ShapeError, match=r"^accuracy: t has shape \(3,\) but y has shape \(4, 3\)"):
        F.accuracy(y, t[:3])
    with pytest.raises(DTypeError, match="^accuracy: t must be an integer array of labels"):
        F.accuracy(y, t.astype(numpy.float32))
    with pytest.raises(DTypeError, match="^accuracy: y must be a floating-point array"):
        F.accuracy(y.astype(numpy.int32), t)
