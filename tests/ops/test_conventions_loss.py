"""Exact gradients of the margin losses of issue 13 at their kinks (Chainer's
conventions).

The property tests keep inputs away from these points on purpose; here each
convention is pinned exactly:

* absolute_error: no gradient where ``x0 == x1`` (``sign(0) = 0``);
* huber_loss: the gradient is continuous (``+-delta`` at ``|x - t| == delta``) and
  its derivative there is 1 (Chainer's clip passes its bounds);
* hinge: no gradient where ``1 + s x == 0``, for L1 and L2;
* contrastive: a dissimilar pair at exactly ``d == margin`` gets no gradient, and a
  pair with ``x0 == x1`` gets a zero (not NaN) gradient, similar or not;
* triplet: a triplet whose hinge is exactly 0 gets no gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.types import Array


def _grads(f: Callable[..., fchain.Variable], *arrays: Array, gy: Array | None = None) -> list[Array | None]:
    xs = [fchain.Variable(a.copy()) if a.dtype.kind == "f" else a for a in arrays]
    y = f(*xs)
    y.grad = numpy.ones_like(y.array) if gy is None else gy
    y.backward()
    return [x.grad if isinstance(x, fchain.Variable) else None for x in xs]


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_absolute_error_gradient_at_equal_inputs_is_zero(dtype: type) -> None:
    x0: Array = numpy.array([1.0, -2.0, 0.0, 3.0], dtype=dtype)
    x1: Array = numpy.array([1.0, -3.0, -0.0, 4.0], dtype=dtype)
    g0, g1 = _grads(F.absolute_error, x0, x1, gy=numpy.full(4, 5.0, dtype=dtype))
    numpy.testing.assert_array_equal(g0, [0.0, 5.0, 0.0, -5.0])
    numpy.testing.assert_array_equal(g1, [0.0, -5.0, 0.0, 5.0])


def test_huber_loss_at_delta_is_continuous_with_second_derivative_one() -> None:
    delta = 0.5
    d = numpy.array([[-1.0, -0.5, -0.25, 0.0, 0.5, 2.0]])  # at, inside and outside +-delta
    x = fchain.Variable(d.copy())
    t = numpy.zeros_like(d)
    loss = F.sum(F.huber_loss(x, t, delta))
    (gx,) = fchain.grad([loss], [x], enable_double_backprop=True)
    assert gx is not None
    numpy.testing.assert_array_equal(gx.array, [[-0.5, -0.5, -0.25, 0.0, 0.5, 0.5]])
    x.cleargrad()
    F.sum(gx).backward()
    numpy.testing.assert_array_equal(x.grad, [[0.0, 1.0, 1.0, 1.0, 1.0, 0.0]])


@pytest.mark.parametrize("norm", ["L1", "L2"])
def test_hinge_gradient_at_the_kink_is_zero(norm: Literal["L1", "L2"]) -> None:
    # row 0: label 0 at x == 1 (1 - x == 0), others at x == -1 (1 + x == 0)
    x = numpy.array([[1.0, -1.0, -1.0], [0.5, -1.0, 2.0]])
    t = numpy.array([0, 2])
    (g, _) = _grads(lambda v, w: F.hinge(v, w, norm=norm, reduce="no"), x, t)
    assert g is not None
    if norm == "L1":
        expected = [[0.0, 0.0, 0.0], [1.0, 0.0, -0.0]]
    else:  # 2 * (1 + s x) * s, 0 at the kink
        expected = [[0.0, 0.0, 0.0], [3.0, 0.0, 0.0]]
    numpy.testing.assert_array_equal(g, expected)


def test_contrastive_dissimilar_pair_at_the_margin_gets_no_gradient() -> None:
    x0 = numpy.array([[0.0, 0.0], [0.0, 0.0]])
    x1 = numpy.array([[3.0, 4.0], [3.0, 4.0]])  # d == 5 exactly
    y = numpy.array([0, 1])
    loss = F.contrastive(fchain.Variable(x0), x1, y, margin=5.0, reduce="no")
    numpy.testing.assert_array_equal(loss.array, [0.0, 12.5])
    g0, g1, _ = _grads(lambda a, b, c: F.contrastive(a, b, c, margin=5.0, reduce="no"), x0, x1, y)
    numpy.testing.assert_array_equal(g0, [[0.0, 0.0], [-3.0, -4.0]])
    numpy.testing.assert_array_equal(g1, [[0.0, 0.0], [3.0, 4.0]])


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_contrastive_equal_inputs_get_a_zero_gradient(dtype: type) -> None:
    x: Array = numpy.array([[1.0, 2.0], [-1.0, 0.5]], dtype=dtype)
    y = numpy.array([0, 1], dtype=numpy.int32)
    loss = F.contrastive(x, x.copy(), y, margin=2.0, reduce="no")
    numpy.testing.assert_array_equal(loss.array, [2.0, 0.0])
    g0, g1, _ = _grads(lambda a, b, c: F.contrastive(a, b, c, margin=2.0), x, x.copy(), y)
    assert g0 is not None and g1 is not None
    numpy.testing.assert_array_equal(g0, numpy.zeros((2, 2)))
    numpy.testing.assert_array_equal(g1, numpy.zeros((2, 2)))


def test_triplet_at_a_zero_hinge_gets_no_gradient() -> None:
    a = numpy.array([[0.0, 0.0], [0.0, 0.0]])
    p = numpy.array([[1.0, 0.0], [1.0, 0.0]])
    n = numpy.array([[1.0, 1.0], [0.0, 0.5]])  # row 0: (1 - 2) + 1 == 0 exactly; row 1: 1 - 0.25 + 1 > 0
    loss = F.triplet(a, p, n, margin=1.0, reduce="no")
    numpy.testing.assert_array_equal(loss.array, [0.0, 1.75])
    ga, gp, gn = _grads(lambda u, v, w: F.triplet(u, v, w, margin=1.0, reduce="no"), a, p, n)
    numpy.testing.assert_array_equal(ga, [[0.0, 0.0], [-2.0, 1.0]])
    numpy.testing.assert_array_equal(gp, [[0.0, 0.0], [2.0, 0.0]])
    numpy.testing.assert_array_equal(gn, [[0.0, 0.0], [0.0, -1.0]])
