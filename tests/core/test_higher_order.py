"""``fchain.grad`` and ``enable_double_backprop``: gradients differentiated again."""

from __future__ import annotations

import numpy as np
import pytest

import fchain
import fchain.functions as F
from fchain import Variable
from fchain.core.op import OpDef
from fchain.core.spec import Case, GradSpec
from fchain.errors import NotDoubleDifferentiableError
from fchain.graph.apply import apply
from fchain.types import Array, ArrayNamespace


def f64(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_grad_returns_gradients_without_touching_grad_attributes() -> None:
    x = Variable(f64(1.0, 2.0))
    y = F.sum(x * x * x)
    (gx,) = fchain.grad([y], [x])
    assert gx is not None
    np.testing.assert_allclose(gx.array, 3 * x.array**2)
    assert x.grad is None


def test_second_derivative_of_cube() -> None:
    x = Variable(f64(1.0, -2.0, 0.5))
    y = F.sum(x**3.0)
    (gx,) = fchain.grad([y], [x], enable_double_backprop=True)
    assert gx is not None
    (ggx,) = fchain.grad([F.sum(gx)], [x])
    assert ggx is not None
    np.testing.assert_allclose(ggx.array, 6 * x.array)


def test_hessian_vector_product_of_exp_quadratic() -> None:
    x = Variable(f64(0.3, -0.7))
    v = f64(1.0, 2.0)
    y = F.sum(F.exp(x) * x)  # d/dx = e^x (1 + x); d2/dx2 = e^x (2 + x)
    (gx,) = fchain.grad([y], [x], enable_double_backprop=True)
    assert gx is not None
    (hv,) = fchain.grad([F.sum(gx * v)], [x])
    assert hv is not None
    np.testing.assert_allclose(hv.array, np.exp(x.array) * (2 + x.array) * v, rtol=1e-12)


def test_backward_with_double_backprop_leaves_a_differentiable_grad_var() -> None:
    x = Variable(f64(2.0))
    y = x**3.0
    y.backward(enable_double_backprop=True)
    assert x.grad_var is not None and x.grad_var.creator is not None
    g = x.grad_var
    x.cleargrad()
    g.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, [12.0])  # d/dx 3x^2 = 6x


def test_gradient_penalty_style_use() -> None:
    w = Variable(f64(0.5, -1.5))
    x = Variable(f64(1.0, 2.0))
    y = F.sum(F.exp(w * x))
    (gx,) = fchain.grad([y], [x], enable_double_backprop=True)
    assert gx is not None
    penalty = F.sum(gx * gx)
    penalty.backward()
    assert w.grad is not None
    # gx = w e^{wx}; penalty = sum w^2 e^{2wx}; d/dw = 2w e^{2wx} + 2 w^2 x e^{2wx}
    expected = 2 * w.array * np.exp(2 * w.array * x.array) * (1 + w.array * x.array)
    np.testing.assert_allclose(w.grad, expected, rtol=1e-10)


def test_grad_wrt_intermediate_variable() -> None:
    x = Variable(f64(1.0))
    h = x * 3.0
    y = F.exp(h)
    (gh,) = fchain.grad([y], [h])
    assert gh is not None
    np.testing.assert_allclose(gh.array, np.exp(h.array))


def test_grad_of_unconnected_input_is_none() -> None:
    x = Variable(f64(1.0))
    other = Variable(f64(2.0))
    (g,) = fchain.grad([x * 2.0], [other])
    assert g is None


def test_grad_set_grad_and_grad_inputs() -> None:
    x = Variable(f64(1.0))
    (g,) = fchain.grad([x * 2.0], [x], grad_inputs=[f64(10.0)], set_grad=True)
    assert g is not None
    np.testing.assert_allclose(g.array, [12.0])
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, [12.0])


def _square_forward(xp: ArrayNamespace, inputs: tuple[Array, ...], p: None) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
    x = inputs[0]
    return (x * x,), (x,)


def _square_vjp(xp: ArrayNamespace, res: tuple[Array, ...], gys: tuple[Array, ...], p: None) -> tuple[Array | None, ...]:
    return (gys[0] * 2.0 * res[0],)


# Deliberately not registered: it exists only to show the second-order refusal.
FIRST_ORDER_ONLY: OpDef[None] = OpDef(
    "first_order_only_square", _square_forward, _square_vjp,
    GradSpec(lambda d: Case((), lambda: None), double=False), double_differentiable=False)


def test_op_without_second_order_refuses_double_backprop_clearly() -> None:
    x = Variable(f64(3.0))
    y = apply(FIRST_ORDER_ONLY, (x,), None)
    (g,) = fchain.grad([y], [x])
    assert g is not None
    np.testing.assert_allclose(g.array, [6.0])
    with pytest.raises(NotDoubleDifferentiableError, match="first_order_only_square"):
        fchain.grad([y], [x], enable_double_backprop=True)


def test_grad_seeds_ones_of_any_shape_and_ignores_the_outputs_grad() -> None:
    # Chainer's grad(): a missing grad_output is an array of ones of the output's
    # shape, whatever that shape, and an existing y.grad is not used.
    x = Variable(np.array([1.0, 2.0, 3.0]))
    y = x * x
    y.grad = np.full(3, 5.0)
    (gx,) = fchain.grad([y], [x])
    assert gx is not None
    np.testing.assert_array_equal(gx.array, 2.0 * x.array)
    np.testing.assert_array_equal(y.grad, np.full(3, 5.0))  # left as it was
    s = F.sum(x * x)
    s.grad = np.asarray(5.0)
    (gs,) = fchain.grad([s], [x])
    assert gs is not None
    np.testing.assert_array_equal(gs.array, 2.0 * x.array)
