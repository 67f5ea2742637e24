"""Forward values of the activation functions of issue 12 (clipped_relu, crelu,
hard_sigmoid, maxout, prelu, rrelu, selu, swish) against formulas written
independently here (Python's math per element, or numpy reshapes), their defaults,
rrelu's randomness and its test mode, and their errors on bad input."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.errors import DTypeError, ShapeError
from fchain.types import Array

RNG = numpy.random.default_rng(12)
X = RNG.uniform(-3.0, 3.0, size=(3, 4))


def bad(value: object) -> Any:
    """A value of the wrong type, hidden from mypy: the mistake under test."""
    return value


def _elementwise(f: Callable[[float], float], x: Array) -> Array:
    return numpy.array([f(float(v)) for v in x.ravel()], dtype=numpy.float64).reshape(x.shape)


def test_clipped_relu_values_and_default_cap() -> None:
    numpy.testing.assert_array_equal(F.clipped_relu(X, 1.0).array, _elementwise(lambda v: min(max(v, 0.0), 1.0), X))
    big = numpy.array([-5.0, 5.0, 25.0])
    numpy.testing.assert_array_equal(F.clipped_relu(big).array, [0.0, 5.0, 20.0])


def test_crelu_concatenates_both_halves_along_axis() -> None:
    x = RNG.standard_normal((2, 3, 4))
    for axis in (0, 1, 2, -1):
        y = F.crelu(x, axis=axis).array
        pos, neg = numpy.split(y, 2, axis=axis)
        numpy.testing.assert_array_equal(pos, _elementwise(lambda v: max(v, 0.0), x))
        numpy.testing.assert_array_equal(neg, _elementwise(lambda v: max(-v, 0.0), x))
    assert F.crelu(x).shape == (2, 6, 4)


def test_hard_sigmoid_values() -> None:
    numpy.testing.assert_allclose(F.hard_sigmoid(X).array,
                                  _elementwise(lambda v: min(max(0.2 * v + 0.5, 0.0), 1.0), X), rtol=1e-15)


def test_maxout_takes_the_maximum_of_consecutive_groups() -> None:
    x = RNG.standard_normal((2, 6, 3))
    y = F.maxout(x, 3)
    assert y.shape == (2, 2, 3)
    for b in range(2):
        for m in range(2):
            for k in range(3):
                assert y.array[b, m, k] == max(x[b, 3 * m + j, k] for j in range(3))
    numpy.testing.assert_array_equal(F.maxout(x, 3, axis=-1).array, x.max(axis=2, keepdims=False)[:, :, None])


def test_prelu_shares_w_along_the_axes_after_the_batch() -> None:
    x = RNG.standard_normal((2, 3, 4))
    W = RNG.uniform(0.0, 1.0, size=(3,))
    expected = numpy.array([[[v if v >= 0 else W[c] * v for v in row] for c, row in enumerate(plane)]
                            for plane in x])
    numpy.testing.assert_array_equal(F.prelu(x, W).array, expected)
    scalar = numpy.array(0.25)
    numpy.testing.assert_array_equal(F.prelu(x, scalar).array, numpy.where(x >= 0, x, 0.25 * x))


def test_swish_values_and_beta_gradient() -> None:
    x = RNG.standard_normal((2, 3))
    beta = numpy.array([0.5, 1.0, 2.0])
    expected = numpy.array([[v / (1.0 + math.exp(-b * v)) for v, b in zip(row, beta)] for row in x])
    numpy.testing.assert_allclose(F.swish(x, beta).array, expected, rtol=1e-14)
    bv = fchain.Variable(beta.copy())
    F.sum(F.swish(x, bv)).backward()
    assert bv.grad is not None
    s = 1.0 / (1.0 + numpy.exp(-beta * x))
    numpy.testing.assert_allclose(bv.grad, (x * x * s * (1.0 - s)).sum(axis=0), rtol=1e-12)


def test_selu_values_and_defaults() -> None:
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    expected = _elementwise(lambda v: scale * (v if v > 0 else alpha * math.expm1(v)), X)
    numpy.testing.assert_allclose(F.selu(X).array, expected, rtol=1e-14)
    numpy.testing.assert_allclose(F.selu(X, 1.0, 2.0).array, 2.0 * F.elu(X, 1.0).array, rtol=1e-15)


def test_rrelu_uses_the_given_slopes_in_training() -> None:
    r = RNG.uniform(0.1, 0.3, size=X.shape)
    y, r_used = F.rrelu(X, r=r, return_r=True)
    assert r_used is r
    numpy.testing.assert_array_equal(y.array, numpy.where(X >= 0, X, X * r))


def test_rrelu_draws_slopes_in_bounds_reproducibly() -> None:
    x = -numpy.ones((50, 40), dtype=numpy.float32)
    fchain.graph.random.seed(5)
    y1, r1 = F.rrelu(x, 0.1, 0.2, return_r=True)
    fchain.graph.random.seed(5)
    y2 = F.rrelu(x, 0.1, 0.2)
    assert r1.dtype == numpy.float32 and r1.shape == x.shape
    assert 0.1 <= r1.min() and r1.max() < 0.2 and r1.std() > 0.02
    numpy.testing.assert_array_equal(y1.array, -r1)
    numpy.testing.assert_array_equal(y1.array, y2.array)


def test_rrelu_outside_training_uses_the_mean_slope_and_ignores_r() -> None:
    with fchain.using_config("train", False):
        y, r = F.rrelu(X, 0.1, 0.3, r=numpy.zeros_like(X), return_r=True)
    numpy.testing.assert_array_equal(r, numpy.full(X.shape, 0.2))
    numpy.testing.assert_array_equal(y.array, numpy.where(X >= 0, X, X * 0.2))


# (exception, message, call): the whole message is matched.
ERRORS: list[tuple[type[Exception], str, Callable[[], object]]] = [
    (TypeError, "clipped_relu: x must be a Variable, numpy.ndarray or cupy.ndarray, got str",
     lambda: F.clipped_relu(bad("a"))),
    (TypeError, "clipped_relu: z must be a real number, got str 'a'", lambda: F.clipped_relu(X, bad("a"))),
    (ValueError, "clipped_relu: z must be positive, got 0.0", lambda: F.clipped_relu(X, 0.0)),
    (TypeError, "crelu: axis must be an int, got float 1.0", lambda: F.crelu(X, bad(1.0))),
    (ShapeError, r"crelu: axis 2 is out of range for x of shape \(3, 4\) \(2 dimensions\)",
     lambda: F.crelu(X, 2)),
    (DTypeError, "hard_sigmoid: x must be a floating-point array, got dtype int64; "
     r"cast integer data with F.cast or .astype\(numpy.float32\)",
     lambda: F.hard_sigmoid(numpy.arange(3))),
    (ValueError, "maxout: pool_size must be a positive int, got 0", lambda: F.maxout(X, 0)),
    (TypeError, "maxout: pool_size must be an int, got float 2.0", lambda: F.maxout(X, bad(2.0))),
    (ShapeError, r"maxout: x.shape\[1\] = 4 is not a multiple of pool_size = 3 \(x has shape \(3, 4\)\)",
     lambda: F.maxout(X, 3)),
    (ShapeError, r"prelu: W has shape \(3,\) but x has shape \(3, 4\); W's shape must equal the axes of x "
     r"after the batch axis, x.shape\[1:2\]", lambda: F.prelu(X, numpy.ones(3))),
    (DTypeError, "prelu: W has dtype float32 but x has float64; all floating inputs of one op must share a dtype",
     lambda: F.prelu(X, numpy.ones(4, dtype=numpy.float32))),
    (TypeError, "prelu: W must be a Variable, numpy.ndarray or cupy.ndarray, got list",
     lambda: F.prelu(X, bad([1.0]))),
    (ShapeError, r"swish: beta has shape \(2,\) but x has shape \(3, 4\); beta's shape must equal the axes "
     r"of x after the batch axis, x.shape\[1:2\]", lambda: F.swish(X, numpy.ones(2))),
    (ValueError, r"rrelu: l must be in \[0, 1\), got -0.1", lambda: F.rrelu(X, -0.1)),
    (ValueError, r"rrelu: u must be in \[0, 1\), got 1.0", lambda: F.rrelu(X, 0.1, 1.0)),
    (ValueError, "rrelu: l must be less than u, got l=0.3 and u=0.2", lambda: F.rrelu(X, 0.3, 0.2)),
    (ShapeError, r"rrelu: r has shape \(4,\) but x has shape \(3, 4\)", lambda: F.rrelu(X, r=numpy.ones(4))),
    (DTypeError, "rrelu: r has dtype float32 but x has dtype float64",
     lambda: F.rrelu(X, r=numpy.ones((3, 4), dtype=numpy.float32))),
    (TypeError, "rrelu: x must be a Variable, numpy.ndarray or cupy.ndarray, got str", lambda: F.rrelu(bad("a"))),
    (TypeError, "selu: alpha must be a real number, got str 'a'", lambda: F.selu(X, bad("a"))),
]


@pytest.mark.parametrize(("kind", "message", "call"), ERRORS,
                         ids=[f"{m.split(':')[0]}-{i}" for i, (_, m, _) in enumerate(ERRORS)])
def test_bad_arguments_name_the_function_the_argument_and_what_came(
        kind: type[Exception], message: str, call: Callable[[], object]) -> None:
    with pytest.raises(kind, match="^" + message + "$"):
        call()
