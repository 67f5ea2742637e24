"""``fchain.utils.type_check`` and ``check_type_forward`` on user functions.

The messages are compared in full: they are what a user reads to fix a call.
"""

from __future__ import annotations

import pickle

import numpy
import pytest

import fchain
from fchain import FunctionNode
from fchain.errors import FchainError
from fchain.facade.function import Function
from fchain.types import Array
from fchain.utils import type_check
from fchain.utils.type_check import InvalidType, make_variable


class LinearLike(FunctionNode):
    """y = x W^T, with Chainer-style input checks."""

    def check_type_forward(self, in_types: type_check.TypeInfoTuple) -> None:
        type_check.argname(in_types, ("x", "W"))
        x_type, w_type = in_types
        type_check.expect(
            x_type.dtype.kind == "f",
            w_type.dtype == x_type.dtype,
            x_type.ndim == 2,
            w_type.ndim == 2,
            type_check.prod(x_type.shape[1:]) == w_type.shape[1],
        )

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        x, w = inputs
        return (x @ w.T,)


X = numpy.ones((2, 3), dtype=numpy.float32)
W = numpy.ones((4, 3), dtype=numpy.float32)


def test_inputs_that_fit_pass_the_check_and_run_forward() -> None:
    (y,) = LinearLike().apply((fchain.Variable(X), W))
    assert y.shape == (2, 4)


def test_the_first_failed_condition_is_named_as_written_with_the_values_compared() -> None:
    with pytest.raises(InvalidType) as info:
        LinearLike().apply((X, numpy.ones((4, 5), dtype=numpy.float32)))
    assert str(info.value) == ("\nInvalid operation is performed in: LinearLike (Forward)\n\n"
                               "Expect: prod(x.shape[1:]) == W.shape[1]\nActual: 3 != 5")
    assert info.value.expect == "prod(x.shape[1:]) == W.shape[1]"
    assert info.value.actual == "3 != 5"


def test_dtype_conditions() -> None:
    with pytest.raises(InvalidType, match="Expect: x.dtype.kind == 'f'\nActual: i != f"):
        LinearLike().apply((X.astype(numpy.int32), W))
    with pytest.raises(InvalidType, match="Expect: W.dtype == x.dtype\nActual: float64 != float32"):
        LinearLike().apply((X, W.astype(numpy.float64)))


def test_a_wrong_number_of_inputs_is_reported_by_argname() -> None:
    with pytest.raises(InvalidType, match="Invalid number of arguments") as info:
        LinearLike().apply((X,))
    assert (info.value.expect, info.value.actual) == ("2 argument(s)", "1 argument(s)")


def test_no_check_while_config_type_check_is_off() -> None:
    bad = numpy.ones((4, 5), dtype=numpy.float32)
    with fchain.using_config("type_check", False):
        with pytest.raises(ValueError):  # numpy's matmul refuses; the check did not run
            LinearLike().apply((X, bad))


def test_old_style_functions_are_checked_too() -> None:
    class Square(Function):
        def check_type_forward(self, in_types: type_check.TypeInfoTuple) -> None:
            type_check.expect(in_types.size() == 1, in_types[0].ndim >= 1)

        def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return (inputs[0] ** 2,)

    assert isinstance(Square()(X), fchain.Variable)
    with pytest.raises(InvalidType, match=r"Square \(Forward\)\n\nExpect: in_types.size == 1\n"
                                          r"Actual: 2 != 1"):
        Square()(X, X)
    with pytest.raises(InvalidType, match=r"Expect: in_types\[0\].ndim >= 1\nActual: 0 < 1"):
        Square()(numpy.array(2.0, dtype=numpy.float32))


def test_an_input_that_is_not_an_array_is_reported() -> None:
    with pytest.raises(InvalidType, match=r"Expect: isinstance\(in_types\[1\], ndarray\)\n"
                                          r"Actual: type\(in_types\[1\]\) == list"):
        LinearLike().apply((X, [[1.0, 2.0, 3.0]]))  # type: ignore[arg-type]  # a list on purpose


def test_expressions_evaluate_as_they_are_built_and_print_as_written() -> None:
    x = make_variable(3, "x")
    y = make_variable((2, 5, 7), "y")
    cases = [
        (x + 1, 4, "x + 1"),
        ((x + 1) * 2, 8, "(x + 1) * 2"),
        (x - (x - 1), 1, "x - (x - 1)"),
        (x - x - 1, -1, "x - x - 1"),
        (2 * x, 6, "2 * x"),
        (7 // x, 2, "7 // x"),
        (x ** (x ** 0), 3, "x ** x ** 0"),
        ((x ** 2) ** 2, 81, "(x ** 2) ** 2"),
        (-(x + 1), -4, "-(x + 1)"),
        (~x & 1 | x << 2 ^ 1, 13, "~x & 1 | x << 2 ^ 1"),
        (y[1:], (5, 7), "y[1:]"),
        (y[::2], (2, 7), "y[::2]"),
        (y[x - 2], 5, "y[x - 2]"),
        (type_check.prod(y), 70, "prod(y)"),
        (type_check.prod([x, 2]), 6, "prod([x, 2])"),
    ]
    for expr, value, text in cases:
        assert type_check.eval(expr) == value, text
        assert str(expr) == text


def test_a_numpy_scalar_on_the_left_gives_a_condition() -> None:
    x = make_variable(3, "x")
    condition = numpy.int64(4) == x
    assert isinstance(condition, type_check.Condition)
    with pytest.raises(InvalidType, match="Expect: x == 4\nActual: 3 != 4"):
        type_check.expect(condition)


def test_expressions_refuse_to_be_bools() -> None:
    x = make_variable(3, "x")
    with pytest.raises(RuntimeError, match="cannot be used as a bool"):
        if x == 3 and x == 4:
            pass


def test_expect_accepts_plain_bools_and_rejects_other_values() -> None:
    type_check.expect(True, numpy.bool_(True))
    with pytest.raises(InvalidType):
        type_check.expect(False)
    with pytest.raises(TypeError, match="got int"):
        type_check.expect(1)  # type: ignore[arg-type]  # not a condition on purpose


def test_eval_reads_nested_values() -> None:
    x = make_variable(3, "x")
    assert type_check.eval((x, [x + 1, 5])) == (3, [4, 5])
    assert type_check.eval(7) == 7


def test_expect_broadcast_shapes() -> None:
    a, b = make_variable((2, 1), "a"), make_variable((1, 3), "b")
    type_check.expect_broadcast_shapes(a, b)
    with pytest.raises(InvalidType) as info:
        type_check.expect_broadcast_shapes(a, make_variable((3, 3), "c"))
    assert str(info.value) == ("cannot broadcast inputs of the following shapes:\n"
                               "a = (2, 1)\nc = (3, 3)")


def test_same_types() -> None:
    assert type_check.same_types(X, W)
    assert not type_check.same_types(X, [1.0])


def test_invalid_type_is_an_fchain_type_error_and_pickles() -> None:
    with pytest.raises(InvalidType) as info:
        LinearLike().apply((X, numpy.ones((4, 5), dtype=numpy.float32)))
    assert isinstance(info.value, FchainError) and isinstance(info.value, TypeError)
    copy = pickle.loads(pickle.dumps(info.value))
    assert str(copy) == str(info.value) and copy.expect == info.value.expect


def test_a_misspelt_attribute_fails_where_it_is_written() -> None:
    x_type = type_check.get_types((X,), "in_types", False)[0]
    with pytest.raises(AttributeError, match="ndims"):
        x_type.ndims
