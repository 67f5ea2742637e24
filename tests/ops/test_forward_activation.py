"""Forward values of the activation ops against numpy written independently here,
their kink conventions, and their stability for huge inputs."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.types import Array

RNG = numpy.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _numeric_warnings_are_errors() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with numpy.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
            yield


def _elementwise(f: Callable[[float], float], x: Array) -> Array:
    return numpy.array([f(float(v)) for v in x.ravel()], dtype=numpy.float64).reshape(x.shape)


def _grad(f: Callable[[fchain.Variable], fchain.Variable], x: Array) -> Array:
    v = fchain.Variable(x.copy())
    y = f(v)
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert v.grad is not None
    return v.grad


X = RNG.uniform(-3.0, 3.0, size=(3, 4))


# ----------------------------------------------------------------- elementwise values
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_tanh_matches_exponential_formula(dtype: type) -> None:
    x: Array = X.astype(dtype)
    expected = _elementwise(lambda v: (math.exp(2 * v) - 1) / (math.exp(2 * v) + 1), x)
    y = F.tanh(x)
    assert y.dtype == dtype
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-6 if dtype == numpy.float32 else 1e-12,
                                  atol=1e-6 if dtype == numpy.float32 else 1e-14)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_sigmoid_matches_logistic_formula(dtype: type) -> None:
    x: Array = X.astype(dtype)
    expected = _elementwise(lambda v: 1.0 / (1.0 + math.exp(-v)), x)
    y = F.sigmoid(x)
    assert y.dtype == dtype
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-6 if dtype == numpy.float32 else 1e-12)


def test_sigmoid_and_tanh_saturate_without_warnings() -> None:
    x = numpy.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    # computed as tanh(x / 2) / 2 + 1/2 (Chainer's formula): values below ~1e-17 round to 0
    numpy.testing.assert_allclose(F.sigmoid(x).array, [0.0, math.exp(-50.0), 0.5, 1.0, 1.0],
                                  rtol=0, atol=1e-16)
    numpy.testing.assert_array_equal(F.tanh(x).array, [-1.0, -1.0, 0.0, 1.0, 1.0])


def test_tanh_and_sigmoid_backward_from_their_output() -> None:
    x = X.copy()
    numpy.testing.assert_allclose(_grad(F.tanh, x), 1.0 / numpy.cosh(x) ** 2, rtol=1e-12)
    s = _elementwise(lambda v: 1.0 / (1.0 + math.exp(-v)), x)
    numpy.testing.assert_allclose(_grad(F.sigmoid, x), s * (1.0 - s), rtol=1e-10)
    for f in (F.tanh, F.sigmoid):
        y = f(fchain.Variable(x))
        assert y.creator is not None
        assert y.creator.residuals[0] is y.array, "the vjp must keep the output as residual"


def test_tanh_second_derivative() -> None:
    x = fchain.Variable(X.copy())
    y = F.tanh(x)
    (gx,) = fchain.grad([F.sum(y)], [x], enable_double_backprop=True)
    assert gx is not None
    (ggx,) = fchain.grad([F.sum(gx)], [x])
    assert ggx is not None
    t = numpy.tanh(X)
    numpy.testing.assert_allclose(ggx.array, -2.0 * t * (1.0 - t * t), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("slope", [0.2, 0.01, -0.5, 2.0])
def test_leaky_relu_values(slope: float) -> None:
    y = F.leaky_relu(X, slope=slope)
    expected = _elementwise(lambda v: v if v >= 0 else slope * v, X)
    numpy.testing.assert_array_equal(y.array, expected)


def test_leaky_relu_default_slope_is_0_2() -> None:
    numpy.testing.assert_array_equal(F.leaky_relu(numpy.array([-1.0, 3.0])).array, [-0.2, 3.0])


@pytest.mark.parametrize("slope", [0.3, -0.3])
def test_leaky_relu_kink_convention(slope: float) -> None:
    x = numpy.array([-1.0, 0.0, -0.0, 1e-300, 2.0])
    numpy.testing.assert_array_equal(F.leaky_relu(x, slope).array, [-slope, 0.0, 0.0, 1e-300, 2.0])
    # leaky_relu'(0) = slope, as Chainer 7 (its _LeakyReLUGrad scales where y <= 0,
    # or x <= 0 for a negative slope): the slope applies where x <= 0, -0.0 included
    numpy.testing.assert_array_equal(_grad(lambda v: F.leaky_relu(v, slope), x),
                                     [slope, slope, slope, 1.0, 1.0])


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
def test_elu_values(alpha: float) -> None:
    x = numpy.concatenate([X.ravel(), [-30.0, 30.0, 700.0]])
    expected = _elementwise(lambda v: v if v >= 0 else alpha * math.expm1(v), x)
    numpy.testing.assert_allclose(F.elu(x, alpha).array, expected, rtol=1e-13)
    expected_grad = _elementwise(lambda v: 1.0 if v > 0 else alpha * math.exp(v), x)
    numpy.testing.assert_allclose(_grad(lambda v: F.elu(v, alpha), x), expected_grad, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("alpha", [2.0, 0.5])
def test_elu_kink_convention(alpha: float) -> None:
    x = numpy.array([0.0, -0.0, 1e-300, -1e-300])
    numpy.testing.assert_array_equal(F.elu(x, alpha).array, [0.0, 0.0, 1e-300, -alpha * 1e-300])
    # elu'(0) = alpha = alpha * exp(0), as Chainer 7 (its ELUGrad gives y + alpha
    # wherever y <= 0): the exponential branch is x <= 0, -0.0 included
    numpy.testing.assert_array_equal(_grad(lambda v: F.elu(v, alpha), x), [alpha, alpha, 1.0, alpha])


def test_elu_and_leaky_relu_second_derivatives_at_the_kink() -> None:
    """d/dx of elu' on the x <= 0 branch is alpha * exp(x), alpha at 0; leaky_relu' is
    piecewise constant, so its second derivative is 0 everywhere."""
    x = fchain.Variable(numpy.array([0.0, -1.0, 1.0]))
    (gx,) = fchain.grad([F.sum(F.elu(x, 2.0))], [x], enable_double_backprop=True)
    assert gx is not None
    (ggx,) = fchain.grad([F.sum(gx)], [x])
    assert ggx is not None
    numpy.testing.assert_allclose(ggx.array, [2.0, 2.0 * math.exp(-1.0), 0.0], rtol=1e-14)
    x2 = fchain.Variable(numpy.array([0.0, -1.0, 1.0]))
    (g2,) = fchain.grad([F.sum(F.leaky_relu(x2, 0.3))], [x2], enable_double_backprop=True)
    assert g2 is not None
    numpy.testing.assert_array_equal(g2.array, [0.3, 0.3, 1.0])
    x2.cleargrad()
    F.sum(g2 * g2).backward()
    assert x2.grad is None or not numpy.any(x2.grad)


# ----------------------------------------------------------------- relu
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_relu_matches_max_with_zero(dtype: type) -> None:
    x: Array = numpy.concatenate([X.ravel(), [0.0, -0.0, 1e-30, -1e-30, 1e30]]).astype(dtype)
    y = F.relu(x)
    assert y.dtype == dtype and y.shape == x.shape
    expected: Array = numpy.array([v if v > 0 else 0.0 for v in x.tolist()], dtype=dtype)
    numpy.testing.assert_array_equal(y.array, expected)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_relu_gradient_at_zero_is_exactly_zero(dtype: type) -> None:
    x: Array = numpy.array([-2.0, -0.0, 0.0, 1e-30, 3.0], dtype=dtype)
    v = fchain.Variable(x.copy())
    y = F.relu(v)
    y.grad = numpy.full(5, 7.0, dtype=dtype)
    y.backward()
    assert v.grad is not None and v.grad.dtype == dtype
    # relu'(0) = 0, for -0.0 too; the smallest positive input passes the gradient
    numpy.testing.assert_array_equal(v.grad, numpy.array([0.0, 0.0, 0.0, 7.0, 7.0], dtype=dtype))


@pytest.mark.parametrize("beta", [1.0, 2.0, 0.5])
def test_softplus_values(beta: float) -> None:
    expected = _elementwise(lambda v: math.log(1.0 + math.exp(beta * v)) / beta, X)
    numpy.testing.assert_allclose(F.softplus(X, beta).array, expected, rtol=1e-12)
    sig = _elementwise(lambda v: 1.0 / (1.0 + math.exp(-beta * v)), X)
    numpy.testing.assert_allclose(_grad(lambda v: F.softplus(v, beta), X), sig, rtol=1e-9)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_softplus_is_stable_for_large_inputs(dtype: type) -> None:
    x: Array = numpy.array([1000.0, -1000.0, 80.0, -80.0], dtype=dtype)
    y = F.softplus(x)
    assert y.dtype == dtype
    assert y.array[0] == 1000.0
    assert y.array[1] == 0.0
    numpy.testing.assert_allclose(y.array[2], 80.0, rtol=1e-6)
    numpy.testing.assert_allclose(y.array[3], math.exp(-80.0), rtol=1e-5)
    g = _grad(F.softplus, x)
    assert numpy.all(numpy.isfinite(g))
    numpy.testing.assert_allclose(g, [1.0, 0.0, 1.0, math.exp(-80.0)], rtol=1e-5, atol=0)
    assert F.softplus(numpy.array([1000.0]), beta=2.0).array[0] == 1000.0


def test_softplus_rejects_zero_beta() -> None:
    with pytest.raises(ValueError, match="softplus: beta"):
        F.softplus(X, beta=0.0)


# ----------------------------------------------------------------- softmax family
def _softmax_oracle(x: Array, axis: int) -> Array:
    moved = numpy.moveaxis(x.astype(numpy.float64), axis, -1)
    out = numpy.empty_like(moved)
    for idx in numpy.ndindex(moved.shape[:-1]):
        row = moved[idx]
        e = [math.exp(v - max(row)) for v in row]
        out[idx] = [v / sum(e) for v in e]
    return numpy.moveaxis(out, -1, axis)


@pytest.mark.parametrize("axis", [1, 0, -1, 2])
def test_softmax_values(axis: int) -> None:
    x = RNG.uniform(-3, 3, size=(2, 3, 4))
    y = F.softmax(x, axis=axis)
    numpy.testing.assert_allclose(y.array, _softmax_oracle(x, axis), rtol=1e-12)
    numpy.testing.assert_allclose(y.array.sum(axis=axis), 1.0, rtol=1e-12)


def test_softmax_default_axis_is_1() -> None:
    x = RNG.uniform(-3, 3, size=(2, 5))
    numpy.testing.assert_allclose(F.softmax(x).array, _softmax_oracle(x, 1), rtol=1e-12)


@pytest.mark.parametrize("axis", [1, 0, -1])
def test_log_softmax_values(axis: int) -> None:
    x = RNG.uniform(-3, 3, size=(2, 3, 4))
    y = F.log_softmax(x, axis=axis)
    numpy.testing.assert_allclose(y.array, numpy.log(_softmax_oracle(x, axis)), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_softmax_family_is_stable_for_huge_logits(dtype: type) -> None:
    x: Array = numpy.array([[1e4, 1e4, -1e4], [1e30, 0.0, -1e30]], dtype=dtype)
    s = F.softmax(x)
    numpy.testing.assert_allclose(s.array, [[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]], atol=1e-7)
    ls = F.log_softmax(x)
    assert numpy.all(numpy.isfinite(ls.array))
    # Chainer's order, x - (m + log(s)), rounds m + log(s) at m's magnitude: the error
    # is up to half an ulp of the largest logit (0.0002 here in float32), not of y.
    numpy.testing.assert_allclose(ls.array[0], [-math.log(2.0), -math.log(2.0), -2e4 - math.log(2.0)],
                                  rtol=1e-6, atol=float(numpy.spacing(dtype(1e4))) / 2)
    assert ls.array[1, 0] == 0.0
    g = _grad(lambda v: F.sum(F.log_softmax(v) * numpy.array([[1, 0, 0], [0, 1, 0]], dtype=dtype)), x)
    assert numpy.all(numpy.isfinite(g))


def test_softmax_gradient_against_jacobian() -> None:
    x = RNG.uniform(-2, 2, size=(1, 4))
    w = RNG.standard_normal((1, 4))
    s = _softmax_oracle(x, 1)[0]
    jac = numpy.diag(s) - numpy.outer(s, s)
    g = _grad(lambda v: F.sum(F.softmax(v) * w), x)
    numpy.testing.assert_allclose(g[0], jac.T @ w[0], rtol=1e-10, atol=1e-12)
    g_log = _grad(lambda v: F.sum(F.log_softmax(v) * w), x)
    jac_log = numpy.eye(4) - s[None, :]
    numpy.testing.assert_allclose(g_log[0], jac_log.T @ w[0], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("f", [F.softmax, F.log_softmax], ids=["softmax", "log_softmax"])
def test_softmax_family_rejects_axis_out_of_range(f: Callable[..., fchain.Variable]) -> None:
    name = "softmax" if f is F.softmax else "log_softmax"
    with pytest.raises(ValueError, match=f"^{name}: axis 1 is out of range"):
        f(numpy.zeros(3))
