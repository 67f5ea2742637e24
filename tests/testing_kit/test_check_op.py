"""``check_op`` passes a correct op and catches each kind of wrong one."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import Phase, settings

import fchain
from fchain.errors import DeviceSpecError
from fchain.testing import check_backward, check_op
from fchain.testing.devices import have_gpu
from fchain.testing.draws import RandomDraw
from fchain.testing.op_check import DoublePathError, check_example, ulps_of_largest
from tests.testing_kit import faulty

FEW = settings(max_examples=10, database=None, derandomize=True)
FAILING = settings(FEW, phases=(Phase.generate,))  # an expected failure need not shrink


def test_a_correct_op_passes() -> None:
    check_op(faulty.CUBE, settings=FEW)


def test_a_rule_off_by_a_thousandth_fails_the_numerical_check() -> None:
    with pytest.raises(AssertionError, match="numerical gradients differ"):
        check_op(faulty.CUBE_WRONG, dtypes=[numpy.float64], settings=FAILING)


def test_a_backward_that_is_right_only_at_first_order_fails_double_backward() -> None:
    x = numpy.linspace(-1, 1, 5)
    check_backward(faulty.cube_second_order_wrong, (x,), numpy.ones(5), rng=numpy.random.default_rng(0))
    check_op(faulty.CUBE_SECOND_ORDER_WRONG, dtypes=[numpy.float32], settings=FEW)  # no double check in float32
    with pytest.raises(AssertionError, match="numerical gradients differ"):
        check_op(faulty.CUBE_SECOND_ORDER_WRONG, dtypes=[numpy.float64], settings=FAILING)


def test_a_double_backprop_path_off_by_a_few_ulps_fails() -> None:
    with pytest.raises(DoublePathError, match="double-backprop path"):
        check_op(faulty.CUBE_DOUBLE_PATH_WRONG, dtypes=[numpy.float64], settings=FAILING)
    check_op(faulty.CUBE_DOUBLE_PATH_WRONG, dtypes=[numpy.float64], settings=FEW, double_path_ulps=8)


def test_a_broken_broadcasts_false_promise_fails() -> None:
    with pytest.raises(AssertionError, match="broadcasts=False"):
        check_op(faulty.CUBE_BROADCASTS, settings=FAILING)


def test_a_spec_that_never_calls_its_op_fails() -> None:
    with pytest.raises(AssertionError, match="never calls kit_cube_uncalled"):
        check_op(faulty.CUBE_UNCALLED, settings=FAILING)


def test_a_not_differentiable_op_that_passes_a_gradient_fails() -> None:
    with pytest.raises(AssertionError, match="NotDifferentiable"):
        check_op(faulty.LEAKY_SIGN, settings=FAILING)


def test_float32_is_skipped_where_the_spec_declares_no_float32_check() -> None:
    op, _ = faulty.make_cube("kit_cube_f64_only", faulty._vjp_scaled(1.01), float32=False)
    check_op(op, dtypes=[numpy.float32], settings=FEW)  # nothing to run
    with pytest.raises(AssertionError):
        check_op(op, dtypes=[numpy.float64, numpy.float32], settings=FAILING)


@pytest.mark.skipif(have_gpu(), reason="checks the error without a GPU")
def test_a_gpu_named_on_a_machine_without_one_is_an_error() -> None:
    with pytest.raises((DeviceSpecError, RuntimeError)):
        check_op(faulty.CUBE, devices=["@cupy:0"], settings=FEW)


def test_check_example_replays_a_single_random_case() -> None:
    check_example(faulty.CUBE, RandomDraw(3))
    with pytest.raises(AssertionError):
        check_example(faulty.CUBE_WRONG, RandomDraw(3))


def test_check_op_refuses_what_is_not_an_op() -> None:
    with pytest.raises(TypeError, match="OpDef"):
        check_op(faulty.cube, settings=FEW)  # type: ignore[arg-type]  # the function, not the op


def test_ulps_of_largest() -> None:
    a = numpy.array([1.0, 1e-20, -2.0])
    assert ulps_of_largest(a, a) == 0
    b = a.copy()
    b[1] = 3e-20  # far off in its own ulps, nothing against the largest element
    assert ulps_of_largest(b, a) < 1e-3
    c = a.copy()
    c[2] = numpy.nextafter(-2.0, -3.0)
    assert ulps_of_largest(c, a) == 1
    assert ulps_of_largest(numpy.array([numpy.nan]), numpy.array([0.0])) == numpy.inf
    assert ulps_of_largest(numpy.array([1e-300]), numpy.array([0.0])) == numpy.inf
    f32 = numpy.array([1.0], dtype=numpy.float32)
    assert ulps_of_largest(numpy.nextafter(f32, numpy.float32(2)), f32) == 1


def test_the_cube_function_is_right() -> None:
    x = fchain.Variable(numpy.array([2.0, -1.0]))
    y = faulty.cube(x)
    fchain.functions.sum(y).backward()
    assert y.array.tolist() == [8.0, -1.0]
    assert x.grad is not None and x.grad.tolist() == [12.0, 3.0]


def test_ulps_of_largest_against_a_shared_scale() -> None:
    """A gradient whose terms cancel (a small value beside a case's larger
    gradients) is measured in ulps of the scale given, not of itself."""
    small = numpy.array([3e-4], dtype=numpy.float32)
    off = small + numpy.float32(9e-8)  # one rounding of O(1) terms
    assert ulps_of_largest(off, small) > 1000
    assert ulps_of_largest(off, small, largest=1.0) < 1
    assert ulps_of_largest(small, small, largest=1.0) == 0
    assert ulps_of_largest(off, small, largest=0.0) == numpy.inf
    assert ulps_of_largest(off, small, largest=float("nan")) == numpy.inf
