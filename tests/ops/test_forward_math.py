"""Forward values of the math ops against references written independently here
(``math`` per element, explicit loops, numpy reductions), their dtypes, the
Variable operators that reach them, and their errors on bad input."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core.backend import to_numpy
from fchain.errors import DTypeError, ShapeError
from fchain.graph.device import get_device
from fchain.gradient_check import check_backward, check_double_backward
from fchain.types import Array
from tests.conftest import DEVICES

RNG = numpy.random.default_rng(2024)
DTYPES = [numpy.float32, numpy.float64]


def _tol(dtype: Any) -> tuple[float, float]:
    """(rtol, atol) for comparing a result in ``dtype`` with a float64 reference."""
    return (2e-6, 1e-6) if dtype == numpy.float32 else (1e-12, 1e-13)


def _elementwise(f: Callable[[float], float], x: Array) -> Array:
    return numpy.array([f(float(v)) for v in x.ravel()], dtype=numpy.float64).reshape(x.shape)


def _on(device: str, a: Array) -> Array:
    return get_device(device).send(a)


# ----------------------------------------------------------------- elementwise
UNARY: list[tuple[str, Callable[[float], float], float, float]] = [
    ("absolute", abs, -3.0, 3.0),
    ("log", math.log, 0.1, 5.0),
    ("log1p", math.log1p, -0.9, 5.0),
    ("sqrt", math.sqrt, 0.0, 5.0),
    ("square", lambda v: v * v, -3.0, 3.0),
    ("sin", math.sin, -7.0, 7.0),
    ("cos", math.cos, -7.0, 7.0),
    ("exp", math.exp, -5.0, 5.0),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "ref", "low", "high"), UNARY, ids=[u[0] for u in UNARY])
def test_unary_matches_math_module(name: str, ref: Callable[[float], float], low: float, high: float,
                                   dtype: Any, device: str) -> None:
    x = RNG.uniform(low, high, size=(3, 5)).astype(dtype)
    y = getattr(F, name)(_on(device, x))
    assert isinstance(y, fchain.Variable)
    assert y.dtype == dtype and y.shape == x.shape
    rtol, atol = _tol(dtype)
    numpy.testing.assert_allclose(to_numpy(y.array), _elementwise(ref, x), rtol=rtol, atol=atol)


def test_log1p_is_accurate_where_log_of_one_plus_x_is_not() -> None:
    x = numpy.array([1e-10, -1e-12, 3e-17])
    numpy.testing.assert_allclose(F.log1p(x).array, x - x * x / 2, rtol=1e-15)


def test_unary_ops_accept_zero_dim_arrays() -> None:
    y = F.sqrt(numpy.array(4.0))
    assert y.shape == () and float(y.array) == 2.0
    assert isinstance(y.array, numpy.ndarray)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_broadcast_like_elementwise_choice(name: str, dtype: Any, device: str) -> None:
    a = RNG.standard_normal((2, 3, 4)).astype(dtype)
    b = RNG.standard_normal((3, 1)).astype(dtype)
    pick = max if name == "maximum" else min
    expected = numpy.empty((2, 3, 4))
    for i in range(2):
        for j in range(3):
            for k in range(4):
                expected[i, j, k] = pick(float(a[i, j, k]), float(b[j, 0]))
    y = getattr(F, name)(_on(device, a), _on(device, b))
    assert y.dtype == dtype
    numpy.testing.assert_array_equal(to_numpy(y.array), expected.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("lo", "hi"), [(-0.5, 0.7), (None, 0.2), (-0.1, None)])
def test_clip_limits_each_element(lo: float | None, hi: float | None, dtype: Any) -> None:
    x = RNG.uniform(-2.0, 2.0, size=(4, 6)).astype(dtype)
    y = F.clip(x, lo, hi)
    assert y.dtype == dtype

    def ref(v: float) -> float:
        if lo is not None and v < lo:
            return float(numpy.array(lo, dtype=dtype))
        if hi is not None and v > hi:
            return float(numpy.array(hi, dtype=dtype))
        return v

    numpy.testing.assert_array_equal(y.array, _elementwise(ref, x).astype(dtype))


# ----------------------------------------------------------------- reductions
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), (1,)])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_reductions_match_loops(name: str, axis: Any, keepdims: bool, dtype: Any) -> None:
    x = RNG.standard_normal((2, 3, 4)).astype(dtype)
    axes = tuple(range(3)) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    axes = tuple(a % 3 for a in axes)
    kept = [n if i not in axes else 1 for i, n in enumerate(x.shape)]
    expected = numpy.empty(kept)
    for idx in numpy.ndindex(*kept):
        sl = tuple(slice(None) if i in axes else idx[i] for i in range(3))
        values = [float(v) for v in x[sl].ravel()]
        if name == "sum":
            expected[idx] = math.fsum(values)
        elif name == "mean":
            expected[idx] = math.fsum(values) / len(values)
        else:
            expected[idx] = max(values) if name == "max" else min(values)
    if not keepdims:
        expected = expected.reshape([n for i, n in enumerate(kept) if i not in axes])
    y = getattr(F, name)(x, axis=axis, keepdims=keepdims)
    assert y.dtype == dtype and y.shape == expected.shape
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-6 if dtype == numpy.float32 else 1e-14,
                                  atol=1e-7 if dtype == numpy.float32 else 1e-15)


@pytest.mark.parametrize("axis", [None, 1, -3])
def test_weighted_mean_is_sum_of_weighted_over_sum_of_weights(axis: int | None) -> None:
    x = RNG.standard_normal((3, 4, 2))
    w = RNG.uniform(0.5, 2.0, size=x.shape if axis is None else (x.shape[axis],))
    y = F.mean(x, axis=axis, weights=w)
    if axis is None:
        expected: Any = (x * w).sum() / w.sum()
    else:
        a = axis % 3
        shape = [1, 1, 1]
        shape[a] = w.size
        expected = (x * w.reshape(shape)).sum(axis=a) / w.sum()
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-13)
    numpy.testing.assert_allclose(y.array, numpy.average(x, axis=axis, weights=w), rtol=1e-13)


def test_weighted_mean_keepdims_and_gradients_for_x_and_weights() -> None:
    x = RNG.standard_normal((3, 4))
    w = RNG.uniform(0.5, 2.0, size=(4,))
    assert F.mean(x, axis=1, weights=w, keepdims=True).shape == (3, 1)

    def f(xv: fchain.Variable, wv: fchain.Variable) -> fchain.Variable:
        return F.mean(xv, axis=1, weights=wv)

    gy = RNG.standard_normal((3,))
    check_backward(f, (x, w), gy, eps=1e-6, rtol=1e-6, atol=1e-8, dtype=numpy.float64)
    check_double_backward(f, (x, w), gy, (RNG.standard_normal(x.shape), RNG.standard_normal(w.shape)),
                          eps=1e-5, rtol=1e-5, atol=1e-7, dtype=numpy.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [None, 0, 2, -1, (0, 1)])
def test_logsumexp_matches_direct_formula(axis: Any, dtype: Any) -> None:
    x = RNG.uniform(-3.0, 3.0, size=(2, 3, 4)).astype(dtype)
    expected = numpy.log(numpy.sum(numpy.exp(x.astype(numpy.float64)), axis=axis))
    y = F.logsumexp(x, axis=axis)
    assert y.dtype == dtype and y.shape == numpy.shape(expected)
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-6 if dtype == numpy.float32 else 1e-13)


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")  # the all -inf row
@pytest.mark.parametrize("dtype", DTYPES)
def test_logsumexp_is_stable_for_huge_and_minus_infinite_inputs(dtype: Any) -> None:
    x = numpy.array([[1000.0, 1000.0, -1000.0], [-1e4, -1e4 + 1.0, -numpy.inf],
                     [-numpy.inf, -numpy.inf, -numpy.inf]], dtype=dtype)
    with numpy.errstate(over="raise", invalid="raise"):  # exp(-inf) = 0 and log(0) = -inf are fine
        y = F.logsumexp(x, axis=1).array
    assert y.dtype == dtype
    numpy.testing.assert_allclose(y[0], 1000.0 + math.log(2.0), rtol=1e-6)
    numpy.testing.assert_allclose(y[1], -1e4 + math.log1p(math.e), rtol=1e-6)
    assert y[2] == -numpy.inf
    v = fchain.Variable(x[:2].copy())
    F.sum(F.logsumexp(v, axis=1)).backward()
    assert v.grad is not None
    s = 1.0 / (1.0 + math.e)
    # float32 rounds y near 1e4 to a spacing of 1e-3, so exp(x - y) is only that good
    numpy.testing.assert_allclose(v.grad, [[0.5, 0.5, 0.0], [s, 1.0 - s, 0.0]],
                                  atol=1e-3 if dtype == numpy.float32 else 1e-12)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_argmax_argmin_give_int32_indices(name: str, axis: int | None) -> None:
    x = RNG.permutation(12).astype(numpy.float32).reshape(3, 4)
    y = getattr(F, name)(x, axis=axis)
    assert y.dtype == numpy.int32
    pick = max if name == "argmax" else min
    if axis is None:
        flat = [float(v) for v in x.ravel()]
        assert y.shape == () and int(y.array) == flat.index(pick(flat))
    else:
        a = axis % 2
        rows = x if a == 1 else x.T
        expected = [list(r).index(pick(r)) for r in rows.tolist()]
        assert y.array.tolist() == expected


# ----------------------------------------------------------------- matmul
def _matmul_ref(a: Array, b: Array) -> Array:
    """Matrix product by explicit loops over (broadcast) batches, rows and columns."""
    a_vec, b_vec = a.ndim == 1, b.ndim == 1
    a2 = a.reshape(1, -1) if a_vec else a
    b2 = b.reshape(-1, 1) if b_vec else b
    batch = numpy.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    a3 = numpy.broadcast_to(a2, batch + a2.shape[-2:])
    b3 = numpy.broadcast_to(b2, batch + b2.shape[-2:])
    out = numpy.zeros(batch + (a2.shape[-2], b2.shape[-1]))
    for idx in numpy.ndindex(*batch):
        for i in range(a2.shape[-2]):
            for j in range(b2.shape[-1]):
                out[idx + (i, j)] = math.fsum(float(a3[idx + (i, k)]) * float(b3[idx + (k, j)])
                                              for k in range(a2.shape[-1]))
    if a_vec:
        out = out.reshape(out.shape[:-2] + out.shape[-1:])
    if b_vec:
        out = out.reshape(out.shape[:-1])
    return out


MATMUL_CASES = [
    ((2, 3), (3, 4), False, False),
    ((3, 2), (3, 4), True, False),
    ((2, 3), (4, 3), False, True),
    ((3, 2), (4, 3), True, True),
    ((5, 2, 3), (5, 3, 4), False, False),
    ((5, 3, 2), (3, 4), True, False),
    ((1, 2, 3), (6, 4, 3), False, True),
    ((2, 1, 2, 3), (4, 3, 2), False, False),
    ((3,), (3, 4), True, False),
    ((2, 3), (3,), False, True),
    ((3,), (3,), True, True),
    ((3,), (5, 3, 2), False, False),
    ((5, 2, 3), (3,), False, False),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("a_shape", "b_shape", "transa", "transb"), MATMUL_CASES)
def test_matmul_matches_loops(a_shape: tuple[int, ...], b_shape: tuple[int, ...], transa: bool,
                              transb: bool, dtype: Any, device: str) -> None:
    a = RNG.standard_normal(a_shape).astype(dtype)
    b = RNG.standard_normal(b_shape).astype(dtype)
    a_eff = numpy.swapaxes(a, -1, -2) if transa and a.ndim >= 2 else a
    b_eff = numpy.swapaxes(b, -1, -2) if transb and b.ndim >= 2 else b
    expected = _matmul_ref(a_eff, b_eff)
    y = F.matmul(_on(device, a), _on(device, b), transa=transa, transb=transb)
    assert y.dtype == dtype and y.shape == expected.shape
    numpy.testing.assert_allclose(to_numpy(y.array), expected, rtol=1e-5 if dtype == numpy.float32 else 1e-12,
                                  atol=1e-5 if dtype == numpy.float32 else 1e-12)


def test_matmul_refuses_a_zero_dim_operand_as_numpy_and_chainer_do() -> None:
    scalar = numpy.array(2.5)
    b = RNG.standard_normal((2, 3))
    with pytest.raises(ValueError):
        numpy.matmul(scalar, b)  # the behaviour matched
    message = r"^matmul: {} must have at least 1 dimension, got a 0-d array \(shape \(\)\)"
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: F.matmul(scalar, b), "a"), (lambda: F.matmul(b.T, scalar), "b"),
        (lambda: fchain.Variable(scalar) @ fchain.Variable(b), "a"),
        (lambda: b @ fchain.Variable(scalar), "b"),
        (lambda: F.matmul(scalar, scalar, transa=True), "a")]
    for call, name in calls:
        with pytest.raises(ShapeError, match=message.format(name)):
            call()


def test_matmul_gradient_sums_broadcast_batch_axes() -> None:
    a = RNG.standard_normal((2, 3))
    b = RNG.standard_normal((4, 3, 5))
    av, bv = fchain.Variable(a.copy()), fchain.Variable(b.copy())
    F.sum(F.matmul(av, bv)).backward()
    assert av.grad is not None and bv.grad is not None
    # d/da_ik of sum over (batch, i, j) a_ik b_bkj = sum over (batch, j) b_bkj
    numpy.testing.assert_allclose(av.grad, numpy.broadcast_to(b.sum(axis=(0, 2)), (2, 3)), rtol=1e-12)
    numpy.testing.assert_allclose(bv.grad, numpy.broadcast_to(a.sum(axis=0)[:, None], (4, 3, 5)), rtol=1e-12)


def test_sum_gradient_is_the_output_gradient_spread_over_the_reduced_axes() -> None:
    x = fchain.Variable(RNG.standard_normal((2, 3, 4)))
    gy = RNG.standard_normal((2, 4))
    y = F.sum(x, axis=1)
    y.grad = gy
    y.backward()
    assert x.grad is not None
    for i, j, k in numpy.ndindex(2, 3, 4):
        assert x.grad[i, j, k] == gy[i, k]


# ----------------------------------------------------------------- broadcasting binary ops
def _binary_ref(name: str, a: float, b: float) -> tuple[float, float, float]:
    """(value, d/da, d/db) of the binary op at scalars ``a`` and ``b``."""
    if name == "add":
        return a + b, 1.0, 1.0
    if name == "sub":
        return a - b, 1.0, -1.0
    if name == "mul":
        return a * b, b, a
    if name == "div":
        return a / b, 1.0 / b, -a / (b * b)
    assert name == "pow"
    return a ** b, b * a ** (b - 1.0), math.log(a) * a ** b


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_binary_ops_of_two_broadcasting_variables(name: str) -> None:
    """x1 (2, 3, 1) with x2 (3, 4) gives (2, 3, 4); each gradient has its input's
    shape and sums the elementwise derivatives over the axes it was broadcast along."""
    a = RNG.uniform(0.5, 2.0, size=(2, 3, 1))  # positive bases for pow
    b = RNG.uniform(0.5, 2.0, size=(3, 4))
    gy = RNG.standard_normal((2, 3, 4))
    v1, v2 = fchain.Variable(a.copy()), fchain.Variable(b.copy())
    y = getattr(F, name)(v1, v2)
    assert y.shape == (2, 3, 4)
    expected = numpy.empty((2, 3, 4))
    g1 = numpy.zeros((2, 3, 1))
    g2 = numpy.zeros((3, 4))
    for i, j, k in numpy.ndindex(2, 3, 4):
        value, da, db = _binary_ref(name, float(a[i, j, 0]), float(b[j, k]))
        expected[i, j, k] = value
        g1[i, j, 0] += gy[i, j, k] * da
        g2[j, k] += gy[i, j, k] * db
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-13)
    y.grad = gy
    y.backward()
    assert v1.grad is not None and v2.grad is not None
    assert v1.grad.shape == a.shape and v2.grad.shape == b.shape
    numpy.testing.assert_allclose(v1.grad, g1, rtol=1e-12, atol=1e-14)
    numpy.testing.assert_allclose(v2.grad, g2, rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------- Variable operators
def test_variable_operators_reach_the_math_ops() -> None:
    a = RNG.standard_normal((2, 3))
    b = RNG.standard_normal((3, 2))
    va, vb = fchain.Variable(a), fchain.Variable(b)
    numpy.testing.assert_array_equal(abs(va).array, numpy.abs(a))
    numpy.testing.assert_allclose((va @ vb).array, _matmul_ref(a, b), rtol=1e-12)
    numpy.testing.assert_allclose((a @ vb).array, _matmul_ref(a, b), rtol=1e-12)
    numpy.testing.assert_allclose(va.mean(axis=0, keepdims=True).array, a.mean(axis=0, keepdims=True),
                                  rtol=1e-13)
    for y, name in ((va @ vb, "matmul"), (a @ vb, "matmul"), (abs(va), "absolute"), (va.mean(), "mean")):
        node = y.creator
        assert node is not None and node.op.name == name


# ----------------------------------------------------------------- bad input
def test_matmul_inner_dimension_mismatch_names_op_and_arguments() -> None:
    with pytest.raises(ShapeError) as info:
        F.matmul(numpy.zeros((2, 3)), numpy.zeros((4, 5)))
    message = str(info.value)
    assert "matmul" in message and "(2, 3)" in message and "(4, 5)" in message
    assert " a " in message and " b " in message
    # a transpose that fixes the mismatch makes it valid
    assert F.matmul(numpy.zeros((3, 2)), numpy.zeros((3, 5)), transa=True).shape == (2, 5)


def test_matmul_batch_mismatch_and_dtype_mismatch() -> None:
    with pytest.raises(ShapeError, match=r"matmul.*batch"):
        F.matmul(numpy.zeros((2, 2, 3)), numpy.zeros((4, 3, 5)))
    with pytest.raises(DTypeError, match="matmul"):
        F.matmul(numpy.zeros((2, 3), numpy.float32), numpy.zeros((3, 2), numpy.float64))
    with pytest.raises(DTypeError, match="matmul"):
        F.matmul(numpy.zeros((2, 3), numpy.int64), numpy.zeros((3, 2), numpy.int64))


@pytest.mark.parametrize("name", ["log", "log1p", "sqrt", "sin", "absolute", "square", "mean", "max",
                                  "logsumexp", "argmax", "argmin"])
def test_integer_input_is_a_dtype_error_naming_the_op(name: str) -> None:
    with pytest.raises(DTypeError, match=rf"^{name}: x must be a floating-point array"):
        getattr(F, name)(numpy.arange(6).reshape(2, 3))


def test_binary_ops_reject_mixed_float_dtypes() -> None:
    with pytest.raises(DTypeError, match="maximum"):
        F.maximum(numpy.zeros(3, numpy.float32), numpy.zeros(3, numpy.float64))
    with pytest.raises(ShapeError, match="minimum"):
        F.minimum(numpy.zeros(3), numpy.zeros(4))


def test_clip_rejects_bad_bounds() -> None:
    x = numpy.zeros(3)
    with pytest.raises(ValueError, match="clip: x_min and x_max cannot both be None"):
        F.clip(x, None, None)
    with pytest.raises(ValueError, match="clip: x_min must be less than x_max"):
        F.clip(x, 1.0, 1.0)


def test_reduction_axis_errors_name_the_op() -> None:
    x = numpy.zeros((2, 3))
    with pytest.raises(ValueError, match="max: axis 2 is out of range"):
        F.max(x, axis=2)
    with pytest.raises(ValueError, match="mean: axis .* repeats"):
        F.mean(x, axis=(1, -1))
    with pytest.raises(TypeError, match="argmax: axis must be None or an int"):
        F.argmax(x, axis=(0, 1))  # type: ignore[arg-type]  # the error under test
    with pytest.raises(ValueError, match="logsumexp: axis -3 is out of range"):
        F.logsumexp(x, axis=-3)


def test_weighted_mean_shape_errors() -> None:
    x = numpy.zeros((2, 3))
    with pytest.raises(ShapeError, match=r"mean: weights must have shape \(3,\)"):
        F.mean(x, axis=1, weights=numpy.ones(2))
    with pytest.raises(ShapeError, match=r"mean: weights must have the shape of x"):
        F.mean(x, weights=numpy.ones(3))
    with pytest.raises(ValueError, match="mean: a tuple of several axes"):
        F.mean(x, axis=(0, 1), weights=numpy.ones((2, 3)))


def test_max_of_an_empty_array_is_a_shape_error_naming_max() -> None:
    with pytest.raises(ShapeError, match="^max: "):
        F.max(numpy.zeros((0, 3)))
