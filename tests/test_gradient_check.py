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
    x = np.array([0.5, 1.5])
    gy = np.array([1.0, -1.0])
    ggx = np.array([0.7, 0.2])
    check_backward(lambda v: CubeWithWrongSecond().apply((v,))[0], (x,), (gy,), dtype=np.float64,
                   eps=1e-6, atol=1e-8, rtol=1e-6)
    with pytest.raises(AssertionError):
        check_double_backward(lambda v: CubeWithWrongSecond().apply((v,))[0], (x,), (gy,), (ggx,),
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


# ------------------------------------------------------- None entries of y_grad
def _tight_check(func: Callable[..., object], x: Array, y_grad: tuple[Array | None, ...]) -> None:
    check_backward(func, x, y_grad, dtype=np.float64, eps=1e-6, atol=1e-8, rtol=1e-6)


def _tight_double_check(func: Callable[..., object], x: Array, y_grad: tuple[Array | None, ...],
                        ggx: Array) -> None:
    check_double_backward(func, x, y_grad, ggx, dtype=np.float64, eps=1e-6, atol=1e-8, rtol=1e-6)


def _wrong_and_right(v: Variable) -> tuple[Variable, Variable]:
    """Output 0 has a wrong backward (factor 3 instead of 2), output 1 a right one."""
    return square_with(3.0)(v), v * 3.0


def test_a_none_y_grad_entry_means_that_output_contributes_nothing() -> None:
    x = np.array([0.5, -1.0, 1.5, 2.0])
    gy = np.array([1.0, -2.0])
    # the audit's probe: the second piece of split_axis has no gradient
    _tight_check(lambda v: F.split_axis(v * v, 2, 0), x, (gy, None))
    gy4 = np.array([1.0, -2.0, 0.5, 0.25])
    # the wrong output is ignored when its gradient is None ...
    _tight_check(_wrong_and_right, x, (None, gy4))
    # ... and caught as soon as it contributes
    with pytest.raises(AssertionError, match="differ"):
        _tight_check(_wrong_and_right, x, (gy4, None))


def test_an_output_that_is_none_ignores_its_y_grad_entry() -> None:
    x = np.array([0.5, -1.0])
    check_backward(lambda v: (v * v, None), x, (np.array([1.0, 2.0]), np.array([5.0, 5.0])),
                   dtype=np.float64, eps=1e-6, atol=1e-8, rtol=1e-6)


def test_y_grad_of_the_wrong_shape_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"y_grad\[0\] has shape \(2,\) but output 0 has shape \(3,\)"):
        check_backward(lambda v: v * 2.0, np.ones(3), (np.ones(2),))


class CubeWithWrongSecond(FunctionNode):
    """x ** 3 whose first derivative is right but carries no second derivative."""

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        self.retain_inputs((0,))
        return (inputs[0] ** 3,)

    def backward(self, indexes: tuple[int, ...],
                 grad_outputs: tuple[Variable | None, ...]) -> tuple[Variable | None, ...]:
        (x,) = self.get_retained_inputs()
        gy = grad_outputs[0]
        assert gy is not None
        return (gy * 3.0 * x.array * x.array,)


def test_check_double_backward_with_a_none_y_grad_entry() -> None:
    x = np.array([0.5, -1.0, 1.5, 2.0])
    ggx = np.array([0.7, 0.2, -0.4, 1.1])
    # the audit's probe (it used to fail with "2 outputs but 1 grad_outputs")
    _tight_double_check(lambda v: F.split_axis(v * v * v, 2, 0), x, (np.array([1.0, -2.0]), None), ggx)
    _tight_double_check(lambda v: F.split_axis(v * v * v, 2, 0), x, (None, np.array([0.3, 2.0])), ggx)

    def two(v: Variable) -> tuple[Variable, Variable]:
        return CubeWithWrongSecond().apply((v,))[0], v * v * v

    gy = np.array([1.0, -1.0, 0.5, 2.0])
    _tight_double_check(two, x, (None, gy), ggx)
    with pytest.raises(AssertionError):
        _tight_double_check(two, x, (gy, None), ggx)


# ------------------------------------------------------------------- tolerance
@pytest.mark.parametrize(("c", "passes"), [(0.6, False), (1.8, True)])
def test_rtol_scales_with_the_backprop_value_as_in_chainer(c: float, passes: bool) -> None:
    """The backward returns ``c`` times the true derivative, so backprop = c * numerical.

    Chainer's ``assert_allclose(numerical, backprop, atol, rtol)`` passes iff
    ``|1 - c| <= rtol * c``: with rtol 0.5, c = 0.6 fails (0.4 > 0.3) and c = 1.8
    passes (0.8 <= 0.9); scaling by |numerical| instead would decide both the
    other way (0.4 <= 0.5, 0.8 > 0.5).
    """
    x = np.array([0.5, -1.0, 1.5])
    gy = np.array([1.0, -2.0, 0.5])

    def run() -> None:
        check_backward(square_with(2.0 * c), (x,), (gy,), dtype=np.float64, eps=1e-3,
                       atol=0.0, rtol=0.5, rng=np.random.default_rng(0))

    if passes:
        run()
    else:
        with pytest.raises(AssertionError, match=r"rtol 0.5 \* \|backprop\|"):
            run()


def test_numerical_grad_ignores_center_outputs_as_chainer_7_does() -> None:
    """Chainer 7 discards ``center_outputs`` (it sets it to None on entry); so does
    fchain: a wrong centre must neither change the gradient nor fake a kink."""
    x = np.array([0.3, -1.2])
    gy = np.array([1.0, 2.0])
    f = lambda: (np.sin(x) * 2.0,)  # noqa: E731
    plain = numerical_grad(f, (x,), (gy,), eps=1e-4, detect_nondifferentiable=True)
    bogus = numerical_grad(f, (x,), (gy,), eps=1e-4, detect_nondifferentiable=True,
                           center_outputs=(np.array([100.0, -100.0]),))
    np.testing.assert_array_equal(plain[0], bogus[0])
    np.testing.assert_allclose(plain[0], 2.0 * np.cos([0.3, -1.2]) * gy, rtol=1e-9)


# ------------------------------------------------------------ nondifferentiable
def test_check_backward_detects_a_kink_when_asked() -> None:
    x = np.array([0.5, 0.0, -1.0])
    gy = np.array([1.0, 1.0, 1.0])
    with pytest.raises(NondifferentiableError, match="not differentiable"):
        check_backward(F.absolute, x, gy, dtype=np.float64, eps=1e-3, detect_nondifferentiable=True,
                       rng=np.random.default_rng(0))
    # away from the kink the same check passes
    check_backward(F.absolute, np.array([0.5, 0.7, -1.0]), gy, dtype=np.float64, eps=1e-3,
                   detect_nondifferentiable=True, rng=np.random.default_rng(0))


def test_the_kink_test_looks_at_each_output_element() -> None:
    """A kink in one output element, next to a steep linear one: the weighted sum of
    the outputs varies so much that a test on that sum alone would miss the kink."""
    x = np.array([0.0, 1.0])

    def f(v: Variable) -> tuple[Variable, Variable]:
        a, b = F.split_axis(v, 2, 0)
        return F.absolute(a), b * 1e6

    with pytest.raises(NondifferentiableError, match="output 0"):
        check_backward(f, x, (np.ones(1), np.ones(1)), dtype=np.float64, eps=1e-3,
                       detect_nondifferentiable=True, rng=np.random.default_rng(0))


def test_finiteness_that_differs_among_the_samples_is_a_kink() -> None:
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.array([2e-4])  # x - eps < 0: sqrt is nan there, finite elsewhere
        with pytest.raises(NondifferentiableError, match="finiteness of output 0"):
            numerical_grad(lambda: (np.sqrt(x),), (x,), (np.ones(1),), eps=1e-3,
                           detect_nondifferentiable=True)
        # non-finite at every sample (log of a negative) is not a kink
        neg = np.array([-2.0])
        (g,) = numerical_grad(lambda: (np.log(neg),), (neg,), (np.ones(1),), eps=1e-3,
                              detect_nondifferentiable=True)
        assert np.isnan(g[0])
        # and through check_backward
        with pytest.raises(NondifferentiableError, match="finiteness"):
            check_backward(F.sqrt, np.array([1.0, 2e-4]), np.ones(2), dtype=np.float64, eps=1e-3,
                           detect_nondifferentiable=True, rng=np.random.default_rng(0))


def test_a_consistently_non_finite_element_skips_the_fit_for_every_output() -> None:
    # Chainer's rule: when any output element is non-finite at all 5 samples, no
    # quadratic fit is made, so a kink in another element is not reported there.
    x = np.array([0.0])
    neg = np.array([-1.0])
    with np.errstate(invalid="ignore"):
        numerical_grad(lambda: (np.abs(x), np.log(neg)), (x,), (np.ones(1), np.ones(1)),
                       eps=1e-3, detect_nondifferentiable=True)
    with pytest.raises(NondifferentiableError, match="output 0 is not differentiable"):
        numerical_grad(lambda: (np.abs(x), np.log(-neg)), (x,), (np.ones(1), np.ones(1)),
                       eps=1e-3, detect_nondifferentiable=True)


# --------------------------------------------------- dtype=None on float32 inputs
def test_random_direction_check_in_the_inputs_own_float32() -> None:
    seen: list[np.dtype[np.generic]] = []

    def f(v: Variable) -> Variable:
        seen.append(v.dtype)
        return F.exp(v) * 2.0

    x = np.array([0.5, -1.0, 0.25], dtype=np.float32)
    gy = np.array([1.0, -0.5, 2.0], dtype=np.float32)
    check_backward(f, x, gy, eps=1e-2, atol=1e-3, rtol=1e-2, rng=np.random.default_rng(0))
    assert len(seen) == 3  # one backprop pass and two numerical samples
    assert all(d == np.float32 for d in seen), seen  # dtype=None: the numerical side stays float32
    with pytest.raises(AssertionError):
        check_backward(square_with(2.5), x, gy, eps=1e-2, atol=1e-3, rtol=1e-2,
                       rng=np.random.default_rng(0))
    seen.clear()
    check_backward(f, x, gy, eps=1e-2, atol=1e-3, rtol=1e-2, dtype=np.float64,
                   rng=np.random.default_rng(0))
    assert seen == [np.float32, np.float64, np.float64]
