"""Exact gradients of the activation functions of issue 12 at their kinks and ties
(Chainer 7's conventions, each also listed in its op's ``GradSpec.conventions``).

The property tests keep inputs away from these points on purpose; here each
convention is pinned exactly, in both float dtypes:

* clipped_relu'(0) = clipped_relu'(z) = 0 (strict comparisons on both sides);
* crelu: both halves have gradient 0 at x = 0;
* hard_sigmoid'(-2.5) = hard_sigmoid'(2.5) = 0;
* maxout: every entry tied for its group's maximum receives the whole gradient;
* prelu'(0) = 1 and x = 0 adds nothing to W's gradient (unlike leaky_relu'(0));
* rrelu'(0) = 1;
* selu'(0) = scale * alpha (the exponential branch is x <= 0, as elu's).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.types import Array

DTYPES = [numpy.float32, numpy.float64]


def _grads(f: Callable[..., fchain.Variable], *arrays: Array, gy: Array | None = None) -> list[Array]:
    xs = [fchain.Variable(a.copy()) for a in arrays]
    y = f(*xs)
    y.grad = numpy.ones_like(y.array) if gy is None else gy.astype(y.dtype)
    y.backward()
    out = []
    for x in xs:
        assert x.grad is not None
        out.append(x.grad)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_clipped_relu_gradient_is_zero_at_both_kinks(dtype: type) -> None:
    x: Array = numpy.array([-1.0, -0.0, 0.0, 0.25, 1.5, 1.75, 3.0], dtype=dtype)
    numpy.testing.assert_array_equal(F.clipped_relu(x, 1.5).array, [0.0, 0.0, 0.0, 0.25, 1.5, 1.5, 1.5])
    (g,) = _grads(lambda v: F.clipped_relu(v, 1.5), x, gy=numpy.full(7, 3.0))
    assert g.dtype == dtype
    numpy.testing.assert_array_equal(g, [0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0])


def test_clipped_relu_zero_gradient_keeps_the_sign_of_gy() -> None:
    """Chainer multiplies gy by the masks, so a masked negative gy gives -0.0."""
    (g,) = _grads(lambda v: F.clipped_relu(v, 1.0), numpy.array([-1.0, 2.0]), gy=numpy.array([-2.0, -2.0]))
    assert numpy.signbit(g).all() and not g.any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_crelu_gradient_is_zero_at_zero_in_both_halves(dtype: type) -> None:
    x: Array = numpy.array([[-2.0, 0.0, -0.0, 3.0]], dtype=dtype)
    y = F.crelu(x)
    numpy.testing.assert_array_equal(y.array, [[0.0, 0.0, 0.0, 3.0, 2.0, 0.0, 0.0, 0.0]])
    gy = numpy.array([[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]])
    (g,) = _grads(F.crelu, x, gy=gy)
    numpy.testing.assert_array_equal(g, [[-16.0, 0.0, 0.0, 8.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_hard_sigmoid_gradient_is_zero_at_both_kinks(dtype: type) -> None:
    x: Array = numpy.array([-3.0, -2.5, -2.0, 0.0, 2.0, 2.5, 3.0], dtype=dtype)
    numpy.testing.assert_allclose(F.hard_sigmoid(x).array, [0.0, 0.0, 0.1, 0.5, 0.9, 1.0, 1.0], rtol=1e-6)
    (g,) = _grads(F.hard_sigmoid, x)
    numpy.testing.assert_array_equal(g, numpy.array([0.0, 0.0, 0.2, 0.2, 0.2, 0.0, 0.0], dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_maxout_ties_give_every_tied_entry_the_whole_gradient(dtype: type) -> None:
    x: Array = numpy.array([[1.0, 3.0, 3.0, -1.0, 2.0, 2.0]], dtype=dtype)  # groups of 3 along axis 1
    y = F.maxout(x, 3)
    numpy.testing.assert_array_equal(y.array, [[3.0, 2.0]])
    (g,) = _grads(lambda v: F.maxout(v, 3), x, gy=numpy.array([[5.0, 7.0]]))
    numpy.testing.assert_array_equal(g, [[0.0, 5.0, 5.0, 0.0, 7.0, 7.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu_gradient_at_zero_is_one_and_adds_nothing_to_w(dtype: type) -> None:
    x: Array = numpy.array([[-2.0, 0.0, -0.0, 3.0]], dtype=dtype)
    W: Array = numpy.array([0.25, 0.5, 0.5, 0.75], dtype=dtype)
    numpy.testing.assert_array_equal(F.prelu(x, W).array, [[-0.5, 0.0, 0.0, 3.0]])
    gx, gW = _grads(F.prelu, x, W, gy=numpy.array([[2.0, 2.0, 2.0, 2.0]]))
    numpy.testing.assert_array_equal(gx, [[0.5, 2.0, 2.0, 2.0]])
    numpy.testing.assert_array_equal(gW, [-4.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_rrelu_gradient_at_zero_is_one(dtype: type) -> None:
    x: Array = numpy.array([-2.0, 0.0, -0.0, 3.0], dtype=dtype)
    r: Array = numpy.array([0.25, 0.25, 0.25, 0.25], dtype=dtype)
    numpy.testing.assert_array_equal(F.rrelu(x, r=r).array, [-0.5, 0.0, 0.0, 3.0])
    (g,) = _grads(lambda v: F.rrelu(v, r=r), x)
    numpy.testing.assert_array_equal(g, [0.25, 1.0, 1.0, 1.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_selu_gradient_at_zero_is_scale_times_alpha(dtype: type) -> None:
    x: Array = numpy.array([0.0, -0.0, 1.0], dtype=dtype)
    (g,) = _grads(lambda v: F.selu(v, alpha=1.5, scale=2.0), x)
    numpy.testing.assert_array_equal(g, [3.0, 3.0, 2.0])


def test_second_derivatives_of_the_piecewise_linear_activations_are_zero() -> None:
    """clipped_relu, crelu, hard_sigmoid, prelu (in x) and rrelu are piecewise linear:
    their gradients differentiate again to zero (the masks are constants)."""
    fs: list[Callable[[fchain.Variable], fchain.Variable]] = [
        lambda v: F.clipped_relu(v, 1.0), F.crelu, F.hard_sigmoid,
        lambda v: F.prelu(v, numpy.array([0.3, 0.3, 0.3])),
        lambda v: F.rrelu(v, r=numpy.full((2, 3), 0.2)),
    ]
    for f in fs:
        x = fchain.Variable(numpy.array([[-1.5, 0.5, 2.0], [0.7, -0.2, 3.0]]))
        (gx,) = fchain.grad([F.sum(f(x) * f(x))], [x], enable_double_backprop=True)
        assert gx is not None
        x.cleargrad()
        F.sum(gx).backward()
        assert x.grad is not None and numpy.all(numpy.isfinite(x.grad))
