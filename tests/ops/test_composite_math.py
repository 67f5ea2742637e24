"""``F.bias`` and ``F.scale`` (Chainer's ``x + y`` / ``x * y`` with ``y`` laid along
``x``'s axes from ``axis`` on, composites of ops) and ``F.linear_interpolate``
(``p x + (1 - p) y``): values against numpy, first and second derivatives against
numerical ones in float64, and the argument errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fchain
import fchain.functions as F
from fchain.errors import DTypeError, ShapeError
from fchain.gradient_check import check_backward, check_double_backward

Combine = Callable[[fchain.Variable | numpy.ndarray, fchain.Variable | numpy.ndarray, int], fchain.Variable]
FUNCTIONS: dict[str, tuple[Combine, Callable[[numpy.ndarray, numpy.ndarray], numpy.ndarray]]] = {
    "bias": (F.bias, numpy.add),
    "scale": (F.scale, numpy.multiply),
}


@st.composite
def _case(draw: st.DrawFn) -> tuple[numpy.ndarray, numpy.ndarray, int]:
    x_shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))
    axis = draw(st.integers(0, len(x_shape) - 1))
    span = draw(st.integers(1, len(x_shape) - axis))
    rng = numpy.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.uniform(-1, 1, x_shape)
    y = rng.uniform(0.5, 1.5, x_shape[axis:axis + span])
    return x, y, axis


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=25, deadline=None)
@given(case=_case())
def test_values_and_derivatives(name: str, case: tuple[numpy.ndarray, numpy.ndarray, int]) -> None:
    function, reference = FUNCTIONS[name]
    x, y, axis = case
    laid = y.reshape((1,) * axis + y.shape + (1,) * (x.ndim - axis - y.ndim))
    got = function(x.astype(numpy.float32), y.astype(numpy.float32), axis).array
    numpy.testing.assert_allclose(got, reference(x, laid).astype(numpy.float32), rtol=1e-6, atol=1e-6)
    rng = numpy.random.default_rng(0)
    gy = rng.uniform(-1, 1, x.shape)
    check_backward(lambda a, b: function(a, b, axis), (x, y), gy, dtype=numpy.float64)
    ggx, ggy = rng.uniform(-1, 1, x.shape), rng.uniform(-1, 1, y.shape)
    check_double_backward(lambda a, b: function(a, b, axis), (x, y), gy, (ggx, ggy), dtype=numpy.float64)


def test_gradient_of_y_sums_over_the_other_axes() -> None:
    x = fchain.Variable(numpy.ones((2, 3, 4), numpy.float32))
    y = fchain.Variable(numpy.full(3, 2.0, numpy.float32))
    F.sum(F.scale(x, y)).backward()
    assert y.grad is not None and x.grad is not None
    assert y.grad.tolist() == [8.0, 8.0, 8.0]
    assert numpy.all(x.grad == 2.0)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_misplaced_operand_is_a_shape_error_naming_the_function(name: str) -> None:
    function, _ = FUNCTIONS[name]
    x = numpy.zeros((2, 3, 4), numpy.float32)
    with pytest.raises(ShapeError, match=rf"^{name}: the operand of shape \(4,\) must match x's axes from axis 1"):
        function(x, numpy.zeros(4, numpy.float32), 1)
    with pytest.raises(TypeError, match=rf"{name}"):
        function(x, numpy.zeros(3, numpy.float32), 1.5)  # type: ignore[arg-type]  # the wrong type on purpose


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 3), max_size=3).map(tuple), seed=st.integers(0, 2**16))
def test_linear_interpolate_values_and_derivatives(shape: tuple[int, ...], seed: int) -> None:
    rng = numpy.random.default_rng(seed)
    p, x, y = (rng.uniform(-1, 1, shape) for _ in range(3))
    got = F.linear_interpolate(p, x, y).array
    numpy.testing.assert_allclose(got, p * x + (1 - p) * y, rtol=1e-12, atol=1e-12)
    gy = rng.uniform(-1, 1, shape)
    check_backward(F.linear_interpolate, (p, x, y), gy, dtype=numpy.float64)
    gg = tuple(rng.uniform(-1, 1, shape) for _ in range(3))
    check_double_backward(F.linear_interpolate, (p, x, y), gy, gg, dtype=numpy.float64)


def test_linear_interpolate_checks_shapes_and_dtypes() -> None:
    a = numpy.zeros(3, numpy.float32)
    with pytest.raises(ShapeError, match=r"^linear_interpolate: x has shape \(1,\) but p has \(3,\)"):
        F.linear_interpolate(a, a[:1], a)
    with pytest.raises(DTypeError, match=r"^linear_interpolate: y has dtype float64 but p has float32"):
        F.linear_interpolate(a, a, a.astype(numpy.float64))
    with pytest.raises(DTypeError, match=r"^linear_interpolate: p must be a floating-point array, got dtype int32"):
        F.linear_interpolate(a.astype(numpy.int32), a, a)
