"""User-defined functions in Chainer's FunctionNode and Function styles."""

from __future__ import annotations

import numpy as np
import pytest

import fchain
import fchain.functions as F
from fchain import Function, FunctionNode, Variable
from fchain.errors import NotDoubleDifferentiableError
from fchain.gradient_check import check_backward, check_double_backward
from fchain.types import Array


class Cube(FunctionNode):
    """y = x ** 3 with a backward written in fchain functions."""

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        self.retain_inputs((0,))
        (x,) = inputs
        return (x * x * x,)

    def backward(self, indexes: tuple[int, ...],
                 grad_outputs: tuple[Variable | None, ...]) -> tuple[Variable | None, ...]:
        (x,) = self.get_retained_inputs()
        gy = grad_outputs[0]
        assert gy is not None
        return (gy * 3.0 * x * x,)


def cube(x: Variable | Array) -> Variable:
    return Cube().apply((x,))[0]


class OldMulAdd(Function):
    """z = x * y + y, Chainer 1 style (arrays both ways)."""

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        x, y = inputs
        return (x * y + y,)

    def backward(self, inputs: tuple[Array, ...], grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        x, y = inputs
        (gz,) = grad_outputs
        return gz * y, gz * (x + 1)


def test_function_node_forward_backward_and_numerical_check() -> None:
    x = np.array([0.5, -1.5, 2.0])
    y = cube(Variable(x))
    np.testing.assert_allclose(y.array, x**3)
    check_backward(cube, (x,), (np.ones(3),), dtype=np.float64, eps=1e-6, atol=1e-7, rtol=1e-6)


def test_function_node_supports_double_backprop() -> None:
    x = np.array([0.5, -1.5, 2.0])
    check_double_backward(cube, (x,), (np.array([1.0, 0.5, -1.0]),), (np.array([0.3, 0.1, 2.0]),),
                          dtype=np.float64, eps=1e-6, atol=1e-6, rtol=1e-5)
    v = Variable(x)
    (g,) = fchain.grad([F.sum(cube(v))], [v], enable_double_backprop=True)
    assert g is not None
    (gg,) = fchain.grad([F.sum(g)], [v])
    assert gg is not None
    np.testing.assert_allclose(gg.array, 6 * x)


def test_old_style_function() -> None:
    x = np.array([1.0, 2.0])
    y = np.array([3.0, -1.0])
    z = OldMulAdd()(Variable(x), Variable(y))
    assert isinstance(z, Variable)
    np.testing.assert_allclose(z.array, x * y + y)
    check_backward(lambda a, b: OldMulAdd()(a, b), (x, y), (np.ones(2),), dtype=np.float64,
                   eps=1e-6, atol=1e-7, rtol=1e-6)


def test_old_style_function_refuses_second_order() -> None:
    a = Variable(np.array([1.0]))
    b = Variable(np.array([2.0]))
    z = OldMulAdd()(a, b)
    assert isinstance(z, Variable)
    with pytest.raises(NotDoubleDifferentiableError, match="function"):
        fchain.grad([z], [a], enable_double_backprop=True)


def test_missing_backward_is_a_clear_error() -> None:
    class NoBackward(FunctionNode):
        def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return (inputs[0] * 2,)

    y = NoBackward().apply((Variable(np.ones(1)),))[0]
    with pytest.raises(NotImplementedError, match="NoBackward"):
        y.backward()


def test_forward_cpu_dispatch() -> None:
    class Twice(Function):
        def forward_cpu(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return (inputs[0] * 2,)

    out = Twice()(Variable(np.ones(2)))
    assert isinstance(out, Variable)
    np.testing.assert_array_equal(out.array, [2.0, 2.0])


def test_function_node_forward_cpu_dispatch() -> None:
    class Halve(FunctionNode):
        def forward_cpu(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return (inputs[0] / 2,)

    (out,) = Halve().apply((Variable(np.array([2.0, 6.0])),))
    np.testing.assert_array_equal(out.array, [1.0, 3.0])


def test_old_style_backward_cpu_dispatch() -> None:
    class Square(Function):
        def forward_cpu(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return (inputs[0] * inputs[0],)

        def backward_cpu(self, inputs: tuple[Array, ...],
                         grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
            return (2 * inputs[0] * grad_outputs[0],)

    x = Variable(np.array([1.5, -2.0]))
    y = Square()(x)
    assert isinstance(y, Variable)
    y.grad = np.array([1.0, 0.5])
    y.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad, [3.0, -2.0])


def test_gpu_only_methods_on_cpu_inputs_are_a_clear_error() -> None:
    class GpuOnly(Function):
        def forward_gpu(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return inputs

    with pytest.raises(NotImplementedError, match="GpuOnly: define forward, or forward_cpu/forward_gpu"):
        GpuOnly()(Variable(np.ones(1)))

    class ForwardOnly(Function):
        def forward_cpu(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            return (inputs[0] * 2,)

    y = ForwardOnly()(Variable(np.ones(1)))
    assert isinstance(y, Variable)
    with pytest.raises(NotImplementedError, match="ForwardOnly: define backward"):
        y.backward()


def test_forward_cpu_must_return_a_tuple() -> None:
    class Bare(FunctionNode):
        def forward_cpu(self, inputs: tuple[Array, ...]) -> Array:
            return inputs[0]

    with pytest.raises(TypeError, match=r"Bare\.forward_cpu must return a tuple, got ndarray"):
        Bare().apply((Variable(np.ones(1)),))


def test_old_style_function_with_two_outputs_returns_a_tuple() -> None:
    class SumAndDiff(Function):
        def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            x, y = inputs
            return x + y, x - y

        def backward(self, inputs: tuple[Array, ...],
                     grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
            gs, gd = grad_outputs
            return gs + gd, gs - gd

    x, y = Variable(np.array([3.0])), Variable(np.array([1.0]))
    out = SumAndDiff()(x, y)
    assert isinstance(out, tuple) and len(out) == 2
    s, d = out
    np.testing.assert_array_equal(s.array, [4.0])
    np.testing.assert_array_equal(d.array, [2.0])
    (F.sum(s) + 2.0 * F.sum(d)).backward()
    assert x.grad is not None and y.grad is not None
    np.testing.assert_array_equal(x.grad, [3.0])
    np.testing.assert_array_equal(y.grad, [-1.0])
