"""Exact gradients of the math ops at their kinks and ties (Chainer's conventions).

The property tests keep inputs away from these points on purpose; here each
convention is pinned exactly:

* absolute'(0) = 0 (Chainer: ``sign(x)``);
* maximum/minimum: at ``x1 == x2`` the whole gradient goes to ``x1``;
* clip: at ``x == x_min`` or ``x == x_max`` the gradient passes (is 1);
* max/min: every element tied for the extremum receives the whole gradient;
* argmax/argmin: ties give the first index, and no gradient ever flows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.types import Array


def _grads(f: Callable[..., fchain.Variable], *arrays: Array, gy: Array | None = None) -> list[Array | None]:
    xs = [fchain.Variable(a.copy()) for a in arrays]
    y = f(*xs)
    y.grad = numpy.ones_like(y.array) if gy is None else gy
    y.backward()
    return [x.grad for x in xs]


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_absolute_gradient_at_zero_is_zero(dtype: type) -> None:
    x: Array = numpy.array([-2.0, -0.0, 0.0, 1e-30, 3.0], dtype=dtype)
    (g,) = _grads(F.absolute, x, gy=numpy.full(5, 7.0, dtype=dtype))
    assert g is not None and g.dtype == dtype
    numpy.testing.assert_array_equal(g, numpy.array([-7.0, 0.0, 0.0, 7.0, 7.0], dtype=dtype))


def test_absolute_second_derivative_is_zero_including_at_zero() -> None:
    x = fchain.Variable(numpy.array([-1.5, 0.0, 2.0]))
    y = F.sum(F.absolute(x) * 3.0)
    (gx,) = fchain.grad([y], [x], enable_double_backprop=True)
    assert gx is not None
    numpy.testing.assert_array_equal(gx.array, [-3.0, 0.0, 3.0])
    x.cleargrad()
    F.sum(gx * gx).backward()
    assert x.grad is None or not numpy.any(x.grad)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_ties_send_the_gradient_to_x1(name: str) -> None:
    x1 = numpy.array([1.0, 2.0, 3.0, -1.0])
    x2 = numpy.array([1.0, 5.0, 0.0, -1.0])
    gy = numpy.array([10.0, 20.0, 30.0, 40.0])
    g1, g2 = _grads(getattr(F, name), x1, x2, gy=gy)
    assert g1 is not None and g2 is not None
    if name == "maximum":  # x1 wins where x1 >= x2
        numpy.testing.assert_array_equal(g1, [10.0, 0.0, 30.0, 40.0])
        numpy.testing.assert_array_equal(g2, [0.0, 20.0, 0.0, 0.0])
    else:  # x1 wins where x1 <= x2
        numpy.testing.assert_array_equal(g1, [10.0, 20.0, 0.0, 40.0])
        numpy.testing.assert_array_equal(g2, [0.0, 0.0, 30.0, 0.0])


def test_maximum_tie_with_a_broadcast_operand_sums_into_it_only_where_it_wins() -> None:
    x1 = numpy.array([[0.5, 1.0], [2.0, 1.0]])
    x2 = numpy.array([1.0])
    g1, g2 = _grads(F.maximum, x1, x2)
    assert g1 is not None and g2 is not None
    numpy.testing.assert_array_equal(g1, [[0.0, 1.0], [1.0, 1.0]])
    numpy.testing.assert_array_equal(g2, [1.0])  # only the 0.5 element went to x2


def test_clip_gradient_passes_at_both_bounds() -> None:
    x = numpy.array([-2.0, -1.0, -0.999, 0.0, 0.5, 0.501, 3.0])
    (g,) = _grads(lambda v: F.clip(v, -1.0, 0.5), x, gy=numpy.full(7, 2.0))
    assert g is not None
    numpy.testing.assert_array_equal(g, [0.0, 2.0, 2.0, 2.0, 2.0, 0.0, 0.0])


@pytest.mark.parametrize(("lo", "hi", "expected"), [
    (None, 0.5, [1.0, 1.0, 1.0, 0.0]),
    (-1.0, None, [0.0, 1.0, 1.0, 1.0]),
])
def test_one_sided_clip_gradient_at_its_bound(lo: float | None, hi: float | None, expected: list[float]) -> None:
    x = numpy.array([-1.5, -1.0, 0.5, 0.75])
    (g,) = _grads(lambda v: F.clip(v, lo, hi), x)
    assert g is not None
    numpy.testing.assert_array_equal(g, expected)


def test_clip_gradient_at_a_float32_bound() -> None:
    x = numpy.array([0.1, 0.2], dtype=numpy.float32)  # 0.1 is not exact in float32
    (g,) = _grads(lambda v: F.clip(v, float(numpy.float32(0.1)), 0.15), x)
    assert g is not None
    numpy.testing.assert_array_equal(g, numpy.array([1.0, 0.0], dtype=numpy.float32))


def test_max_ties_give_every_tied_element_the_whole_gradient() -> None:
    x = numpy.array([1.0, 3.0, 2.0, 3.0])
    (g,) = _grads(F.max, x, gy=numpy.array(5.0))
    assert g is not None
    numpy.testing.assert_array_equal(g, [0.0, 5.0, 0.0, 5.0])


def test_min_ties_along_an_axis() -> None:
    x = numpy.array([[2.0, -1.0, -1.0], [0.0, 4.0, 1.0], [7.0, 7.0, 7.0]])
    (g,) = _grads(lambda v: F.min(v, axis=1), x, gy=numpy.array([1.0, 2.0, 3.0]))
    assert g is not None
    numpy.testing.assert_array_equal(g, [[0.0, 1.0, 1.0], [2.0, 0.0, 0.0], [3.0, 3.0, 3.0]])


def test_max_ties_with_keepdims_over_two_axes() -> None:
    x = numpy.array([[[1.0, 4.0], [4.0, 0.0]], [[2.0, 2.0], [-1.0, 2.0]]])
    (g,) = _grads(lambda v: F.max(v, axis=(1, 2), keepdims=True), x,
                  gy=numpy.array([[[10.0]], [[20.0]]]))
    assert g is not None
    numpy.testing.assert_array_equal(g, [[[0.0, 10.0], [10.0, 0.0]], [[20.0, 20.0], [0.0, 20.0]]])


@pytest.mark.parametrize(("name", "expected"), [("argmax", 1), ("argmin", 0)])
def test_argmax_argmin_ties_give_the_first_index(name: str, expected: int) -> None:
    x = numpy.array([-2.0, 5.0, -2.0, 5.0])
    assert int(getattr(F, name)(x).array) == expected


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_pass_no_gradient(name: str) -> None:
    x = fchain.Variable(numpy.array([[0.3, 0.1], [0.2, 0.9]]))
    idx = getattr(F, name)(x, axis=1)
    assert idx.dtype == numpy.int32
    idx.grad = numpy.ones_like(idx.array)
    idx.backward()
    assert x.grad is None
