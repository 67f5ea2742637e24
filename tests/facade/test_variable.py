"""Variable's Chainer API: construction, properties, operators, printing, errors."""

from __future__ import annotations

import numpy as np
import pytest

import fchain
import fchain.functions as F
from fchain import Parameter, Variable
from fchain.errors import DTypeError
from tests.arrays import values


def test_construction_and_properties() -> None:
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    v = Variable(data, name="v")
    assert v.data is data and v.array is data
    assert v.shape == (2, 3) and v.ndim == 2 and v.size == 6 and v.dtype == np.float32
    assert len(v) == 2
    assert v.name == "v"
    assert v.grad is None and v.grad_var is None and v.creator is None
    np.testing.assert_array_equal(v.T.array, data.T)


def test_non_array_data_is_rejected_with_a_hint() -> None:
    with pytest.raises(TypeError, match="numpy.ndarray"):
        Variable([1.0, 2.0])  # type: ignore[arg-type]  # the mistake under test


def test_grad_setter_and_grad_var() -> None:
    v = Variable(np.zeros(2, np.float32))
    v.grad = np.ones(2, np.float32)
    assert v.grad_var is not None
    np.testing.assert_array_equal(v.grad_var.array, np.ones(2))
    v.zerograd()
    assert v.grad is not None and not v.grad.any()
    v.cleargrad()
    assert v.grad is None


def test_grad_must_match_the_data_in_dtype_and_shape() -> None:
    v = Variable(np.zeros((2, 3), np.float32))
    with pytest.raises(TypeError, match="Variable.grad: the gradient has dtype float64 but the data has dtype float32"):
        v.grad = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"Variable.grad: the gradient has shape \(3,\) but the data has shape \(2, 3\)"):
        v.grad = np.ones(3, np.float32)
    with pytest.raises(ValueError, match="Variable.grad_var: the gradient has shape"):
        v.grad_var = Variable(np.ones((3, 2), np.float32))
    assert v.grad is None, "a rejected gradient is not stored"
    lazy = fchain.Parameter()
    lazy.grad = np.ones(4)  # an uninitialized Parameter has nothing to match yet
    assert lazy.grad is not None and lazy.grad.shape == (4,)


def test_addgrad_and_copydata() -> None:
    a = Variable(np.zeros(2, np.float32))
    b = Variable(np.ones(2, np.float32), grad=np.full(2, 2.0, np.float32))
    a.addgrad(b)
    a.addgrad(b)
    assert a.grad is not None
    np.testing.assert_array_equal(a.grad, [4.0, 4.0])
    a.copydata(b)
    np.testing.assert_array_equal(a.array, [1.0, 1.0])


@pytest.mark.parametrize("expr,expected", [
    (lambda x: x + 1, lambda a: a + 1),
    (lambda x: 1 + x, lambda a: 1 + a),
    (lambda x: x - 1, lambda a: a - 1),
    (lambda x: 1 - x, lambda a: 1 - a),
    (lambda x: x * 3, lambda a: a * 3),
    (lambda x: 3 * x, lambda a: 3 * a),
    (lambda x: x / 4, lambda a: a / 4),
    (lambda x: 4 / x, lambda a: 4 / a),
    (lambda x: x ** 2, lambda a: a ** 2),
    (lambda x: 2 ** x, lambda a: 2 ** a),
    (lambda x: -x, lambda a: -a),
    (lambda x: x * x, lambda a: a * a),
    (lambda x: x ** x, lambda a: a ** a),
])
def test_operators_match_numpy_and_keep_float32(expr: object, expected: object) -> None:
    a = np.array([0.5, 1.5, 2.0], dtype=np.float32)
    y = expr(Variable(a))  # type: ignore[operator]  # parametrised callables
    want = expected(a)  # type: ignore[operator]  # parametrised callables
    assert isinstance(y, Variable)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.array, want, rtol=1e-6)


def test_ndarray_on_the_left_reaches_the_reflected_operator() -> None:
    a = np.array([1.0, 2.0], dtype=np.float32)
    x = Variable(np.array([3.0, 4.0], dtype=np.float32))
    y = a * x
    assert isinstance(y, Variable)
    y2 = a + x
    assert isinstance(y2, Variable)
    F.sum(y + y2).backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, a + 1)


def test_comparisons_and_truth_value_raise() -> None:
    x = Variable(np.ones(1, np.float32))
    with pytest.raises(NotImplementedError):
        _ = x == x
    with pytest.raises(NotImplementedError):
        _ = x < x
    with pytest.raises(TypeError):
        bool(x)
    with pytest.raises(TypeError):
        hash(x)


def test_repr_and_str_follow_chainer() -> None:
    x = Variable(np.array([[1, 2], [3, 4]], dtype=np.float32))
    assert repr(x) == "variable([[1., 2.],\n          [3., 4.]])"
    assert str(x) == "variable([[1. 2.]\n          [3. 4.]])"
    named = Variable(np.array([1.0], np.float32), name="w")
    assert repr(named) == "variable w([1.])"


def test_integer_input_to_differentiable_op_is_a_clear_error() -> None:
    x = Variable(np.array([1, 2], dtype=np.int32))
    with pytest.raises(DTypeError, match=r"exp: x must be a floating-point array, got dtype int32"):
        F.exp(x)


def test_mixed_float_dtypes_are_rejected_naming_the_op() -> None:
    a = Variable(np.ones(2, np.float32))
    b = Variable(np.ones(2, np.float64))
    with pytest.raises(DTypeError, match=r"mul: y has dtype float64 but x has float32"):
        _ = a * b


def test_wrong_argument_type_names_the_op() -> None:
    with pytest.raises(TypeError, match=r"exp: x must be a Variable"):
        F.exp([1.0])  # type: ignore[arg-type]  # the mistake under test


def test_shape_mismatch_names_the_op_and_shapes() -> None:
    a = Variable(np.ones((2, 3), np.float32))
    b = Variable(np.ones((4,), np.float32))
    with pytest.raises(ValueError, match=r"add: .*\(2, 3\).*\(4,\)"):
        _ = a + b


def test_reshape_and_transpose_methods() -> None:
    x = Variable(np.arange(6, dtype=np.float32))
    assert x.reshape(2, 3).shape == (2, 3)
    assert x.reshape((3, 2)).shape == (3, 2)
    y = x.reshape(2, 3).transpose()
    assert y.shape == (3, 2)
    F.sum(y * 2.0).backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad, np.full(6, 2.0))


def test_item_of_a_single_element() -> None:
    assert Variable(np.array([[2.5]], np.float32)).item() == 2.5
    with pytest.raises(ValueError, match="item"):
        Variable(np.ones(2, np.float32)).item()


def test_parameter_lazy_initialization() -> None:
    p = Parameter(np.float32(0.5))
    assert not p.is_initialized
    p.initialize((2, 3))
    assert p.shape == (2, 3)
    np.testing.assert_array_equal(p.array, np.full((2, 3), 0.5))
    q = Parameter(None, shape=3)
    assert np.isnan(values(q)).all()
    r = Parameter(np.arange(3, dtype=np.float32))
    assert r.is_initialized and r.shape == (3,)


def test_to_cpu_is_identity_on_numpy() -> None:
    x = Variable(np.ones(2, np.float32), grad=np.ones(2, np.float32))
    assert x.to_cpu() is x
    assert x.to_device("@numpy") is x
    assert isinstance(x.array, np.ndarray)
    assert str(x.device) == "@numpy"


def test_rank_counts_the_longest_path() -> None:
    x = Variable(np.ones(1, np.float32))
    assert x.rank == 0
    y = (x * 2.0) + x
    assert y.rank == 2


def test_zero_dim_results_are_arrays() -> None:
    x = Variable(np.array(2.0, dtype=np.float32))
    y = F.exp(x) * 2.0
    assert isinstance(y.array, np.ndarray) and y.shape == ()
    y.backward()
    assert isinstance(x.grad, np.ndarray) and x.grad.shape == ()
    assert fchain.as_array(y) is y.array


def test_uninitialized_parameter_remembers_its_device() -> None:
    p = Parameter(np.float32(1.0))
    p.to_device("@numpy")
    p.initialize(2)
    assert isinstance(p.array, np.ndarray)
    np.testing.assert_array_equal(p.array, [1.0, 1.0])


@pytest.mark.parametrize("double", [False, True])
def test_loss_scale_scales_only_the_implicit_seed(double: bool) -> None:
    # Chainer multiplies only the ones it creates for a 1-element output by
    # loss_scale; a gradient the user set on the output is used as it is.
    x = Variable(np.array(1.0, np.float32))
    y = x * 3
    y.backward(loss_scale=10, enable_double_backprop=double)
    assert x.grad == pytest.approx(30.0)
    x.cleargrad()
    y = x * 3
    y.grad = np.array(2.0, np.float32)
    y.backward(loss_scale=10, enable_double_backprop=double)
    assert x.grad == pytest.approx(6.0)
    assert x.grad.dtype == np.float32


def test_grad_loss_scale_scales_only_the_implicit_seed() -> None:
    x = Variable(np.array([1.0, 2.0], np.float32))
    y = x * 3
    (implicit,) = fchain.grad([y], [x], loss_scale=10)
    (given,) = fchain.grad([y], [x], grad_outputs=[np.full(2, 2.0, np.float32)], loss_scale=10)
    assert implicit is not None and given is not None
    np.testing.assert_allclose(implicit.array, [30.0, 30.0])
    np.testing.assert_allclose(given.array, [6.0, 6.0])


def test_a_variable_without_data_says_so_and_a_parameter_is_none() -> None:
    """Honest types: ``Variable.array`` is an ``Array`` (reading it from a
    ``Variable()`` made without data raises); ``Parameter.array`` is ``None`` until
    the parameter is initialized, as Chainer's lazy links expect."""
    from fchain.errors import UninitializedError

    empty = Variable()
    for read in (lambda: empty.array, lambda: empty.data, lambda: empty.shape, lambda: empty.dtype):
        with pytest.raises(UninitializedError, match=r"^Variable\.\w+: this variable has no array yet"):
            read()
    empty.array = np.ones(2, np.float32)
    assert empty.shape == (2,)
    param = fchain.Parameter()
    assert param.array is None and param.data is None and not param.is_initialized
    with pytest.raises(UninitializedError, match=r"^Parameter\.shape: this parameter has no array yet"):
        _ = param.shape
    param.initialize((3,))
    assert param.array is not None and param.array.shape == (3,)
