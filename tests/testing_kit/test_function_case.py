"""``FunctionTestCase`` passes a correct function and catches wrong ones.  The
cases are driven here by hand (underscore names: pytest does not collect them)."""

from __future__ import annotations

import unittest

import numpy
import pytest

import fchain.functions as F
from fchain import Variable
from fchain.backend import CpuDevice, Device
from fchain.errors import NondifferentiableError
from fchain.testing import FunctionTestCase, FunctionTestError
from fchain.types import Array
from tests.testing_kit import faulty

CPU = CpuDevice()


class _Cube(FunctionTestCase):
    """``x**3`` through the op chosen by ``function``."""

    dtype: type[numpy.floating] = numpy.float64
    seen_contiguous: list[bool]

    def setUp(self) -> None:
        numpy.random.seed(0)
        self.seen_contiguous = []

    def generate_inputs(self) -> tuple[Array, ...]:
        return (numpy.random.uniform(-1, 1, (3, 2)).astype(self.dtype),)

    def function(self, x: Variable) -> Variable:
        return faulty.cube(x)

    def forward(self, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
        (x,) = inputs
        self.seen_contiguous.append(bool(x.array.flags.c_contiguous))
        return (self.function(x),)

    def forward_expected(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        (x,) = inputs
        return (x ** 3,)


def _run(case: FunctionTestCase, name: str) -> None:
    case.setup_method(None)
    getattr(case, name)(CPU)


TESTS = ["test_forward", "test_backward", "test_double_backward"]


@pytest.mark.parametrize("name", TESTS)
def test_a_correct_function_passes(name: str) -> None:
    case = _Cube()
    _run(case, name)
    assert case.test_name == name and case.device == CPU


def test_inputs_are_non_contiguous_unless_asked() -> None:
    case = _Cube()
    _run(case, "test_forward")
    assert case.seen_contiguous == [False]

    class _Contiguous(_Cube):
        contiguous = "C"
    contiguous = _Contiguous()
    _run(contiguous, "test_forward")
    assert contiguous.seen_contiguous == [True]


def test_a_wrong_forward_fails_test_forward() -> None:
    class _Wrong(_Cube):
        def forward_expected(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return (inputs[0] ** 3 + 1e-3,)
    with pytest.raises(FunctionTestError, match="Outputs do not match"):
        _run(_Wrong(), "test_forward")


def test_a_wrong_output_dtype_fails_test_forward() -> None:
    class _Wrong(_Cube):
        def forward_expected(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return ((inputs[0] ** 3).astype(numpy.float32),)
    with pytest.raises(FunctionTestError, match="Shapes and/or dtypes"):
        _run(_Wrong(), "test_forward")


def test_a_forward_that_changes_its_input_fails() -> None:
    class _Mutating(_Cube):
        def function(self, x: Variable) -> Variable:
            y = faulty.cube(x)
            x.array[...] = 0.0
            return y
    with pytest.raises(FunctionTestError, match="modified during forward"):
        _run(_Mutating(), "test_forward")


def test_a_wrong_backward_fails_test_backward_only() -> None:
    class _Wrong(_Cube):
        def function(self, x: Variable) -> Variable:
            return faulty.cube_wrong(x)
    _run(_Wrong(), "test_forward")
    with pytest.raises(FunctionTestError, match="backward is not implemented correctly"):
        _run(_Wrong(), "test_backward")


def test_a_backward_right_only_at_first_order_fails_test_double_backward() -> None:
    class _Wrong(_Cube):
        def function(self, x: Variable) -> Variable:
            return faulty.cube_second_order_wrong(x)
    _run(_Wrong(), "test_backward")
    with pytest.raises(FunctionTestError, match="double backward is not implemented correctly"):
        _run(_Wrong(), "test_double_backward")


def test_float32_is_checked_against_a_float64_numerical_side() -> None:
    """exp in float32 at Chainer's default tolerances: with a float32 numerical side
    this case raises a false alarm; the kit's float64 side passes it."""
    class _Exp(_Cube):
        dtype = numpy.float32

        def function(self, x: Variable) -> Variable:
            return F.exp(x)

        def forward_expected(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return (numpy.exp(inputs[0]),)

    class _Exp32(_Exp):
        numerical_grad_dtype = numpy.float32
    failures = {numpy.float64: 0, numpy.float32: 0}
    for seed in range(20):
        for case in (_Exp(), _Exp32()):
            case.setup_method(None)
            numpy.random.seed(seed)
            try:
                case.test_backward(CPU)
            except FunctionTestError:
                failures[numpy.dtype(case.numerical_grad_dtype).type] += 1
    assert failures[numpy.float64] == 0 and failures[numpy.float32] >= 3, failures


@pytest.mark.parametrize("name", TESTS)
def test_skip_flags(name: str) -> None:
    class _Skipping(_Cube):
        skip_forward_test = skip_backward_test = skip_double_backward_test = True
    with pytest.raises(unittest.SkipTest, match=f"skip_{name[5:]}_test"):
        _run(_Skipping(), name)


def test_options_start_from_the_class_and_setUp_may_update_them() -> None:
    class _Options(_Cube):
        check_backward_options = {"atol": 1.0}

        def setUp(self) -> None:
            super().setUp()
            self.check_backward_options.update({"rtol": 0.5})
    first, second = _Options(), _Options()
    first.setup_method(None)
    second.setup_method(None)
    assert first.check_backward_options == {"atol": 1.0, "rtol": 0.5}
    assert first.check_backward_options is not second.check_backward_options
    assert _Options.check_backward_options == {"atol": 1.0}
    assert first.check_forward_options == {}


def test_loose_options_let_a_wrong_backward_pass() -> None:
    """The options reach the check (and so a tolerance can hide a bug)."""
    class _Loose(_Cube):
        check_backward_options = {"rtol": 0.1}

        def function(self, x: Variable) -> Variable:
            return faulty.cube_wrong(x)
    _run(_Loose(), "test_backward")


def test_dodge_nondifferentiable_redraws_at_a_kink() -> None:
    """relu drawn at its kink every other time: the check redraws until it is away
    from it (without dodging, the kink fails the check: the central difference
    there is half the slope)."""
    class _Relu(_Cube):
        dodge_nondifferentiable = True
        draws = 0

        def generate_inputs(self) -> tuple[Array, ...]:
            type(self).draws += 1
            x = numpy.array([0.5, -0.3]) if type(self).draws % 2 == 0 else numpy.array([0.0, 0.5])
            return (x,)

        def function(self, x: Variable) -> Variable:
            return F.relu(x)

        def forward_expected(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return (numpy.maximum(inputs[0], 0.0),)
    _run(_Relu(), "test_backward")
    assert _Relu.draws == 2  # the first draw, at the kink, was thrown away

    class _AlwaysAtKink(_Relu):
        def generate_inputs(self) -> tuple[Array, ...]:
            return (numpy.array([0.0, 0.5]),)
    with pytest.raises(AssertionError, match="non-differentiable points"):
        _run(_AlwaysAtKink(), "test_backward")

    class _NoDodge(_AlwaysAtKink):
        dodge_nondifferentiable = False
    with pytest.raises(FunctionTestError):
        _run(_NoDodge(), "test_backward")
    assert issubclass(NondifferentiableError, ArithmeticError)


def test_what_user_methods_return_is_checked() -> None:
    class _List(_Cube):
        def generate_inputs(self) -> tuple[Array, ...]:
            return [numpy.ones(2)]  # type: ignore[return-value]  # the mistake under test
    with pytest.raises(TypeError, match="generate_inputs"):
        _run(_List(), "test_forward")

    class _NotVariables(_Cube):
        def forward(self, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
            return (inputs[0].array,)  # type: ignore[return-value]  # the mistake under test
    with pytest.raises(FunctionTestError, match="tuple of Variables"):
        _run(_NotVariables(), "test_forward")
