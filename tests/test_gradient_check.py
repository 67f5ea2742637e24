"""fchain.gradient_check itself: it must catch wrong gradients, not only pass right ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import fchain.functions as F
from fchain import FunctionNode, Parameter, Variable
from fchain.errors import NondifferentiableError
from fchain.gradient_check import check_backward, check_double_backward, numerical_grad
from fchain.types import Array


class WrongSquare(FunctionNode):
    """Forward x**2 with a backward that is off by a factor: a bug to be caught."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        self.retain_inputs((0,))
        return (inputs[0] ** 2,)

    def backward(self, indexes: tuple[int, ...],
                 grad_outputs: tuple[Variable | None, ...]) -> tuple[Variable | None, ...]:
        (x,) = self.get_retained_inputs()
        gy = grad_outputs[0]
        assert gy is not None
        return (gy * x * self.factor,)


def square_with(factor: float) -> Callable[[Variable], Variable]:
    return lambda x: WrongSquare(factor).apply((x,))[0]


def test_numerical_grad_matches_the_derivative() -> None:
    x = np.array([0.3, -1.2, 2.0])
    gy = np.array([1.0, 2.0, -0.5])
    (g,) = numerical_grad(lambda: (np.sin(x),), (x,), (gy,), eps=1e-6)
    np.testing.assert_allclose(g, np.cos(x) * gy, rtol=1e-7)
    np.testing.assert_array_equal(x, [0.3, -1.2, 2.0])  # inputs restored


def test_numerical_grad_detects_a_kink() -> None:
    x = np.array([0.0])
    with pytest.raises(NondifferentiableError):
        numerical_grad(lambda: (np.abs(x),), (x,), (np.ones(1),), eps=1e-3,
                       detect_nondifferentiable=True)


def test_check_backward_accepts_a_correct_rule_and_rejects_a_wrong_one() -> None:
    x = np.array([0.5, -1.0, 1.5])
    gy = np.array([1.0, -2.0, 0.5])
    check_backward(square_with(2.0), (x,), (gy,), dtype=np.float64, eps=1e-6, atol=1e-8, rtol=1e-6)
    with pytest.raises(AssertionError, match="differ"):
        check_backward(square_with(2.1), (x,), (gy,), dtype=np.float64, eps=1e-6, atol=1e-8, rtol=1e-6)


def test_check_backward_covers_parameters() -> None:
    w = Parameter(np.array([1.5, -0.5]))
    x = np.array([2.0, 3.0])
    check_backward(lambda v: F.sum(v * w * w), (x,), None, params=(w,), dtype=np.float64,
                   eps=1e-6, atol=1e-8, rtol=1e-6)
    wrong = Parameter(np.array([1.5, -0.5]))
    with pytest.raises(AssertionError):
        # The function reads the parameter's array (no graph), so backprop gives it
        # a zero gradient while the numerical side sees it move: must fail.
        check_backward(lambda v: F.sum(v * wrong.array * wrong.array) + 0.0 * F.sum(wrong),
                       (x,), None, params=(wrong,), dtype=np.float64, eps=1e-6, atol=1e-8, rtol=1e-6)


def test_check_double_backward_rejects_a_wrong_second_derivative() -> None:
    class GoodFirstWrongSecond(FunctionNode):
        def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            self.retain_inputs((0,))
            return (inputs[0] ** 3,)

        def backward(self, indexes: tuple[int, ...],
                     grad_outputs: tuple[Variable | None, ...]) -> tuple[Variable | None, ...]:
            (x,) = self.get_retained_inputs()
            gy = grad_outputs[0]
            assert gy is not None
            # Right value of 3x^2, but computed from a constant copy of x: its own
            # derivative with respect to x is lost.
            return (gy * 3.0 * x.array * x.array,)

    x = np.array([0.5, 1.5])
    gy = np.array([1.0, -1.0])
    ggx = np.array([0.7, 0.2])
    check_backward(lambda v: GoodFirstWrongSecond().apply((v,))[0], (x,), (gy,), dtype=np.float64,
                   eps=1e-6, atol=1e-8, rtol=1e-6)
    with pytest.raises(AssertionError):
        check_double_backward(lambda v: GoodFirstWrongSecond().apply((v,))[0], (x,), (gy,), (ggx,),
                              dtype=np.float64, eps=1e-6, atol=1e-8, rtol=1e-6)
    check_double_backward(lambda v: v ** 3, (x,), (gy,), (ggx,), dtype=np.float64,
                          eps=1e-6, atol=1e-8, rtol=1e-6)


def test_integer_inputs_are_skipped_and_must_get_no_gradient() -> None:
    x = np.array([[1.0, 2.0], [0.5, -1.0]])
    t = np.array([1, 0])
    check_backward(lambda a, b: F.softmax_cross_entropy(a, b), (x, t), None, dtype=np.float64,
                   eps=1e-6, atol=1e-8, rtol=1e-6)


def test_y_grad_none_needs_a_single_scalar_output() -> None:
    with pytest.raises(ValueError, match="y_grad"):
        check_backward(lambda v: v * 2.0, (np.ones(3),), None)
