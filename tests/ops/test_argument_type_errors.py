"""Bad arguments give errors that name the function, the argument, what was expected
and what came.

* An array argument that is not a Variable or an array is named by its parameter
  name, whether the check is ``apply``'s (renamed in the op's error branch) or the
  up-front shape read of ops that need the shape before applying.
* Every non-array parameter of the functions in ``fchain.functions`` (axis, shape,
  ratio, slope, keepdims, ...) is checked by type, and numpy scalars of the right
  kind are accepted where Python numbers are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import fchain
import fchain.functions as F


def bad(value: object) -> Any:
    """A value of the wrong type, hidden from mypy: the mistake under test."""
    return value


A = np.ones((2, 3))
B = np.ones((3, 2))
V = fchain.Variable(np.linspace(-1.0, 1.0, 6).reshape(2, 3))
ARRAY_ARGUMENTS: list[tuple[str, Callable[[], object]]] = [
    (r"sum: x must be", lambda: F.sum(bad("a"))),
    (r"max: x must be", lambda: F.max(bad(1.0))),
    (r"max: x must be", lambda: F.max(bad(np.float64(1.0)))),  # a numpy scalar is not an array
    (r"argmin: x must be", lambda: F.argmin(bad(None))),
    (r"reshape: x must be", lambda: F.reshape(bad([1, 2]), (2,))),
    (r"linear: W must be", lambda: F.linear(A, bad("W"))),
    (r"linear: b must be", lambda: F.linear(A, np.ones((4, 3)), bad(0))),
    (r"matmul: b must be", lambda: F.matmul(A, bad([[1.0]]))),
    (r"concat: xs\[1\] must be", lambda: F.concat([A, bad(3)])),
    (r"stack: xs\[0\] must be", lambda: F.stack([bad("a"), A])),
    (r"mean: weights must be", lambda: F.mean(A, axis=1, weights=bad("w"))),
    (r"mean_squared_error: x1 must be", lambda: F.mean_squared_error(A, bad(2.0))),
    (r"relu: x must be", lambda: F.relu(bad("a"))),
    (r"elu: x must be", lambda: F.elu(bad("a"))),
    (r"leaky_relu: x must be", lambda: F.leaky_relu(bad("a"))),
    (r"sigmoid: x must be", lambda: F.sigmoid(bad("a"))),
    (r"softplus: x must be", lambda: F.softplus(bad("a"))),
    (r"tanh: x must be", lambda: F.tanh(bad([0.5]))),
    (r"softmax: x must be", lambda: F.softmax(bad("a"))),
    (r"absolute: x must be", lambda: F.absolute(bad("a"))),
    (r"cos: x must be", lambda: F.cos(bad("a"))),
    (r"exp: x must be", lambda: F.exp(bad([1.0]))),
    (r"log: x must be", lambda: F.log(bad("a"))),
    (r"log1p: x must be", lambda: F.log1p(bad("a"))),
    (r"neg: x must be", lambda: F.neg(bad("a"))),
    (r"sin: x must be", lambda: F.sin(bad("a"))),
    (r"sqrt: x must be", lambda: F.sqrt(bad("a"))),
    (r"square: x must be", lambda: F.square(bad("a"))),
    (r"clip: x must be", lambda: F.clip(bad("a"), 0.0, 1.0)),
    (r"maximum: x1 must be", lambda: F.maximum(bad("a"), A)),
    (r"minimum: x2 must be", lambda: F.minimum(A, bad("a"))),
    (r"where: x must be", lambda: F.where(A > 0, bad("a"), A)),
    (r"where: y must be", lambda: F.where(A > 0, A, bad(1.0))),
    (r"identity: xs\[1\] must be", lambda: F.identity(A, bad("b"))),
    (r"dropout: x must be", lambda: F.dropout(bad("a"))),
    (r"cast: x must be", lambda: F.cast(bad("a"), np.float32)),
    (r"cast: x must be", lambda: F.cast(bad(np.float32(1)), np.float64)),  # typ is fine: x is named
    (r"copy: x must be", lambda: F.copy(bad("a"), -1)),
    (r"get_item: x must be", lambda: F.get_item(bad("a"), 0)),
    (r"broadcast_to: x must be", lambda: F.broadcast_to(bad("a"), (2,))),
    (r"transpose: x must be", lambda: F.transpose(bad("a"))),
]


@pytest.mark.parametrize(("message", "call"), ARRAY_ARGUMENTS,
                         ids=[f"{m.split(':')[0]}-{i}" for i, (m, _) in enumerate(ARRAY_ARGUMENTS)])
def test_a_non_array_argument_is_named_with_its_op(message: str, call: Callable[[], object]) -> None:
    with pytest.raises(TypeError, match="^" + message + r" a Variable, numpy.ndarray or cupy.ndarray, got \w+$"):
        call()


OPERANDS: list[tuple[str, Callable[[], object]]] = [
    (r"add: xs\[1\] must be", lambda: F.add(A, bad("a"))),
    (r"add: xs\[2\] must be", lambda: F.add(A, A, bad("a"))),
    (r"add: y must be", lambda: V + bad("a")),
    (r"sub: x must be", lambda: F.sub(bad("a"), A)),
    (r"mul: xs\[1\] must be", lambda: F.mul(A, bad(1j))),
    (r"div: y must be", lambda: F.div(A, bad("a"))),
    (r"pow: y must be", lambda: F.pow(A, bad("a"))),
]


@pytest.mark.parametrize(("message", "call"), OPERANDS, ids=[m.split(":")[0] for m, _ in OPERANDS])
def test_a_bad_operand_of_arithmetic_is_named(message: str, call: Callable[[], object]) -> None:
    with pytest.raises(TypeError, match="^" + message +
                       r" a Variable, numpy.ndarray, cupy.ndarray or a real number, got \w+$"):
        call()


def test_an_error_that_is_not_about_the_argument_type_passes_unchanged() -> None:
    """The error branch renames only a wrong argument type; any other TypeError
    (here: two scalar operands) reaches the caller as it was raised."""
    with pytest.raises(TypeError, match="^add: at least one operand must be a Variable or an array$"):
        F.add(bad(1.0), bad(2.0))


def _no_data() -> fchain.Variable:
    return fchain.Variable(None)


# A Variable without an array, or an uninitialized Parameter, given to an op.
NO_DATA: list[tuple[str, Callable[[], object]]] = [
    ("relu: x has no data \\(a Variable without an array\\)", lambda: F.relu(_no_data())),
    ("relu: x has no data \\(an uninitialized Parameter\\)", lambda: F.relu(fchain.Parameter())),
    ("where: x has no data \\(a Variable without an array\\)", lambda: F.where(A > 0, _no_data(), A)),
    ("where: y has no data \\(an uninitialized Parameter\\)",
     lambda: F.where(A > 0, A, fchain.Parameter())),
    ("add: y has no data \\(a Variable without an array\\)", lambda: F.add(A, _no_data())),
    ("identity: input 1 has no data \\(a Variable without an array\\)", lambda: F.identity(A, _no_data())),
    ("linear: x has no data \\(a Variable without an array\\)",
     lambda: F.linear(_no_data(), np.ones((4, 3)), np.ones(4))),
    ("linear: W has no data \\(an uninitialized Parameter\\)", lambda: F.linear(A, fchain.Parameter())),
    ("cast: x has no data \\(a Variable without an array\\)", lambda: F.cast(_no_data(), np.float64)),
    ("cast: x has no data \\(an uninitialized Parameter\\)", lambda: F.cast(fchain.Parameter(), np.float64)),
]


@pytest.mark.parametrize(("message", "call"), NO_DATA, ids=[str(i) for i in range(len(NO_DATA))])
def test_a_variable_without_data_is_a_value_error_naming_the_op(message: str, call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="^" + message + "$"):
        call()


def test_a_valid_typ_is_not_blamed_for_another_type_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """cast rewrites a TypeError as a complaint about typ only when typ is no dtype."""
    from fchain.ops.array import cast as cast_module

    def failing(*args: object) -> object:
        raise TypeError("something else")

    monkeypatch.setattr(cast_module, "apply", failing)
    with pytest.raises(TypeError, match="^something else$"):
        F.cast(A, np.float32)
    with pytest.raises(TypeError, match="^cast: typ must be a dtype"):
        F.cast(A, bad("nonsense"))


# (exception, message, call): the whole message is matched.
SCALAR_ARGUMENTS: list[tuple[type[Exception], str, Callable[[], object]]] = [
    (TypeError, "elu: alpha must be a real number, got str 'x'", lambda: F.elu(A, alpha=bad("x"))),
    (TypeError, "softmax_cross_entropy: ignore_label must be an int, got str 'a'",
     lambda: F.softmax_cross_entropy(A, np.zeros(2, np.int32), ignore_label=bad("a"))),
    (TypeError, "softmax_cross_entropy: normalize must be a bool, got str 'no'",
     lambda: F.softmax_cross_entropy(A, np.zeros(2, np.int32), normalize=bad("no"))),
    (TypeError, "accuracy: ignore_label must be an int, got float 1.5",
     lambda: F.accuracy(A, np.zeros(2, np.int32), ignore_label=bad(1.5))),
    (TypeError, "linear: n_batch_axes must be an int, got str '1'",
     lambda: F.linear(A, np.ones((4, 3)), n_batch_axes=bad("1"))),
    (TypeError, "elu: alpha must be a real number, got bool True", lambda: F.elu(A, alpha=bad(True))),
    (TypeError, "leaky_relu: slope must be a real number, got str 'x'", lambda: F.leaky_relu(A, slope=bad("x"))),
    (TypeError, "softplus: beta must be a real number, got NoneType None", lambda: F.softplus(A, beta=bad(None))),
    (TypeError, "clip: x_min must be a real number, got str 'a'", lambda: F.clip(A, bad("a"), 1.0)),
    (TypeError, r"clip: x_max must be a real number, got list \[1.0\]", lambda: F.clip(A, 0.0, bad([1.0]))),
    (TypeError, "dropout: ratio must be a real number, got str 'x'", lambda: F.dropout(A, bad("x"))),
    (ValueError, r"dropout: ratio must be in \[0, 1\), got 1.0", lambda: F.dropout(A, 1.0)),
    (ValueError, r"dropout: ratio must be in \[0, 1\), got -0.5", lambda: F.dropout(A, -0.5)),
    (TypeError, "dropout: mask must be a numpy.ndarray or cupy.ndarray, got str",
     lambda: F.dropout(A, 0.5, mask=bad("m"))),
    (TypeError, "dropout: return_mask must be a bool, got str 'yes'",
     lambda: F.dropout(A, 0.5, return_mask=bad("yes"))),
    (TypeError, "reshape: shape must be an int or a sequence of ints, got str 'ab'", lambda: F.reshape(A, bad("ab"))),
    (TypeError, r"reshape: shape must be an int or a sequence of ints, got tuple \(2.0, 3\) \(an entry is float 2.0\)",
     lambda: F.reshape(A, bad((2.0, 3)))),
    (TypeError, "reshape: shape must be an int or a sequence of ints, got float 6.0", lambda: F.reshape(A, bad(6.0))),
    (TypeError, "broadcast_to: shape must be an int or a sequence of ints, got str 'ab'",
     lambda: F.broadcast_to(A, bad("ab"))),
    (TypeError, "sum_to: shape must be an int or a sequence of ints, got NoneType None",
     lambda: F.sum_to(A, bad(None))),
    (TypeError, "transpose: axes must be an int or a sequence of ints, got str 'ab'",
     lambda: F.transpose(A, bad("ab"))),
    (TypeError, "expand_dims: axis must be an int or a tuple of ints, got float 1.0",
     lambda: F.expand_dims(A, bad(1.0))),
    (TypeError, "concat: axis must be an int, got str 'a'", lambda: F.concat([A, A], axis=bad("a"))),
    (TypeError, "stack: axis must be an int, got float 0.0", lambda: F.stack([A, A], axis=bad(0.0))),
    (TypeError, "split_axis: force_tuple must be a bool, got str 'no'",
     lambda: F.split_axis(A, 3, 1, force_tuple=bad("no"))),
    (TypeError, "softmax: axis must be an int, got tuple \\(0, 1\\)", lambda: F.softmax(A, axis=bad((0, 1)))),
    (TypeError, "log_softmax: axis must be an int, got float 1.0", lambda: F.log_softmax(A, axis=bad(1.0))),
    (ValueError, "softmax: axis 2 is out of range for an input with 2 dimensions", lambda: F.softmax(A, axis=2)),
    (TypeError, "sum: axis must be None, an int or a tuple of ints, got float 1.0", lambda: F.sum(A, axis=bad(1.0))),
    (TypeError, "squeeze: axis must be None, an int or a tuple of ints, got str 'a'",
     lambda: F.squeeze(A, axis=bad("a"))),
    (TypeError, "logsumexp: axis must be None, an int or a tuple of ints, got tuple \\(0, 'a'\\)",
     lambda: F.logsumexp(A, axis=bad((0, "a")))),
    (TypeError, "sum: keepdims must be a bool, got str 'yes'", lambda: F.sum(A, keepdims=bad("yes"))),
    (TypeError, "max: keepdims must be a bool, got int 1", lambda: F.max(A, keepdims=bad(1))),
    (TypeError, "min: keepdims must be a bool, got str 'yes'", lambda: F.min(A, keepdims=bad("yes"))),
    (TypeError, "mean: keepdims must be a bool, got str 'yes'", lambda: F.mean(A, keepdims=bad("yes"))),
    (TypeError, "argmax: axis must be None or an int, got float 1.0", lambda: F.argmax(A, axis=bad(1.0))),
    (TypeError, "argmin: axis must be None or an int, got tuple \\(0, 1\\)", lambda: F.argmin(A, axis=bad((0, 1)))),
    (TypeError, "matmul: transa must be a bool, got str 'no'", lambda: F.matmul(A, B, transa=bad("no"))),
    (TypeError, "matmul: transb must be a bool, got NoneType None", lambda: F.matmul(A, B, transb=bad(None))),
    (TypeError, r"cast: typ must be a dtype \(numpy.float32, 'float64', ...\), got str 'nonsense'",
     lambda: F.cast(A, bad("nonsense"))),
    (TypeError, "sigmoid_cross_entropy: normalize must be a bool, got str 'a'",
     lambda: F.sigmoid_cross_entropy(A, np.zeros((2, 3), np.int32), normalize=bad("a"))),
]


@pytest.mark.parametrize(("kind", "message", "call"), SCALAR_ARGUMENTS,
                         ids=[f"{m.split(':')[0]}-{i}" for i, (_, m, _) in enumerate(SCALAR_ARGUMENTS)])
def test_a_bad_scalar_argument_names_the_function_the_argument_and_what_came(
        kind: type[Exception], message: str, call: Callable[[], object]) -> None:
    with pytest.raises(kind, match="^" + message + "$"):
        call()


# (call with numpy scalars or ints, the same call with Python numbers)
EQUIVALENT: list[tuple[Callable[[], fchain.Variable], Callable[[], fchain.Variable]]] = [
    (lambda: F.elu(V, bad(np.float32(0.5))), lambda: F.elu(V, 0.5)),
    (lambda: F.elu(V, 2), lambda: F.elu(V, 2.0)),
    (lambda: F.leaky_relu(V, bad(np.float64(0.1))), lambda: F.leaky_relu(V, 0.1)),
    (lambda: F.softplus(V, bad(np.int64(2))), lambda: F.softplus(V, 2.0)),
    (lambda: F.clip(V, bad(np.float32(-0.5)), 1), lambda: F.clip(V, -0.5, 1.0)),
    (lambda: F.reshape(V, bad((np.int64(3), 2))), lambda: F.reshape(V, (3, 2))),
    (lambda: F.reshape(V, bad(np.int32(6))), lambda: F.reshape(V, (6,))),
    (lambda: F.broadcast_to(V, [2, 2, 3]), lambda: F.broadcast_to(V, (2, 2, 3))),
    (lambda: F.transpose(V, bad(np.array([1, 0]))), lambda: F.transpose(V, (1, 0))),
    (lambda: F.sum(V, axis=bad(np.int64(1)), keepdims=bad(np.bool_(True))), lambda: F.sum(V, axis=1, keepdims=True)),
    (lambda: F.softmax(V, axis=bad(np.int32(0))), lambda: F.softmax(V, axis=0)),
    (lambda: F.argmax(V, axis=bad(np.int64(1))), lambda: F.argmax(V, axis=1)),
    (lambda: F.concat([V, V], axis=bad(np.int64(0))), lambda: F.concat([V, V], axis=0)),
    (lambda: F.expand_dims(V, bad(np.int64(1))), lambda: F.expand_dims(V, 1)),
    (lambda: F.matmul(V, V, transb=bad(np.bool_(True))), lambda: F.matmul(V, V, transb=True)),
]


@pytest.mark.parametrize(("numpy_call", "python_call"), EQUIVALENT)
def test_numpy_scalars_and_ints_are_accepted_where_python_numbers_are(
        numpy_call: Callable[[], fchain.Variable], python_call: Callable[[], fchain.Variable]) -> None:
    got, expected = numpy_call(), python_call()
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_array_equal(got.array, expected.array)


def test_dropout_with_a_numpy_ratio_draws_the_same_mask_as_with_a_float() -> None:
    fchain.graph.random.seed(3)
    y1, m1 = F.dropout(V, bad(np.float32(0.25)), return_mask=True)
    fchain.graph.random.seed(3)
    y2, m2 = F.dropout(V, 0.25, return_mask=True)
    np.testing.assert_array_equal(y1.array, y2.array)
    assert m1 is not None and m2 is not None
    np.testing.assert_array_equal(m1, m2)
