"""Every differentiable member of the second-order namespace, on Variables, gives
numpy's values and the right derivative.

The rules of double backprop run on this namespace (``fchain._second_order.DIFF``):
a member that computed a wrong value would make the first-order gradients of
``enable_double_backprop=True`` wrong, and one with a wrong derivative the second
order.  The op property test reaches only the members some rule calls; this test
reaches all of them, so a member no rule uses yet is right before one does.  A
completeness test keeps the table in step with the namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain._second_order import DIFF, DiffNamespace
from fchain.testing import check_backward
from fchain.types import Array

RNG = numpy.random.default_rng(11)
A = RNG.uniform(-1.5, 1.5, (2, 3))  # away from 0 below
A[numpy.abs(A) < 0.2] += 0.5
B = RNG.uniform(-1.5, 1.5, (2, 3))
B[numpy.abs(A - B) < 0.1] += 0.3  # no ties with A
P = RNG.uniform(0.5, 2.0, (2, 3))  # positive
S = RNG.permutation(6).reshape(2, 3) * 0.3 - 0.75  # distinct values, none within 0.05 of +-0.5
M = RNG.standard_normal((3, 4))

# name -> (the member called on Variables (or arrays), numpy's reference, the inputs)
Member = tuple[Callable[..., Any], Callable[..., Any], tuple[numpy.ndarray[Any, Any], ...]]
MEMBERS: dict[str, Member] = {
    "add": (DIFF.add, numpy.add, (A, B)),
    "subtract": (DIFF.subtract, numpy.subtract, (A, B)),
    "multiply": (DIFF.multiply, numpy.multiply, (A, B)),
    "divide": (DIFF.divide, numpy.divide, (A, P)),
    "negative": (DIFF.negative, numpy.negative, (A,)),
    "power": (DIFF.power, numpy.power, (P, B)),
    "absolute": (DIFF.absolute, numpy.absolute, (A,)),
    "exp": (DIFF.exp, numpy.exp, (A,)),
    "expm1": (DIFF.expm1, numpy.expm1, (A * 1e-3,)),
    "log": (DIFF.log, numpy.log, (P,)),
    "log1p": (DIFF.log1p, numpy.log1p, (P,)),
    "sqrt": (DIFF.sqrt, numpy.sqrt, (P,)),
    "square": (DIFF.square, numpy.square, (A,)),
    "sin": (DIFF.sin, numpy.sin, (A,)),
    "cos": (DIFF.cos, numpy.cos, (A,)),
    "tan": (DIFF.tan, numpy.tan, (A,)),
    "tanh": (DIFF.tanh, numpy.tanh, (A,)),
    "maximum": (DIFF.maximum, numpy.maximum, (A, B)),
    "minimum": (DIFF.minimum, numpy.minimum, (A, B)),
    "clip": (lambda a: DIFF.clip(a, -0.5, 0.5), lambda a: numpy.clip(a, -0.5, 0.5), (S,)),
    "where": (lambda a, b: DIFF.where(numpy.asarray(A > 0), a, b), lambda a, b: numpy.where(A > 0, a, b), (A, B)),
    "sum": (lambda a: DIFF.sum(a, axis=1, keepdims=True), lambda a: numpy.sum(a, axis=1, keepdims=True), (A,)),
    "mean": (lambda a: DIFF.mean(a, axis=0), lambda a: numpy.mean(a, axis=0), (A,)),
    "max": (lambda a: DIFF.max(a, axis=1), lambda a: numpy.max(a, axis=1), (S,)),
    "min": (lambda a: DIFF.min(a, axis=0, keepdims=True), lambda a: numpy.min(a, axis=0, keepdims=True), (S,)),
    "reshape": (lambda a: DIFF.reshape(a, (3, 2)), lambda a: numpy.reshape(a, (3, 2)), (A,)),
    "transpose": (lambda a: DIFF.transpose(a, (1, 0)), lambda a: numpy.transpose(a, (1, 0)), (A,)),
    "broadcast_to": (lambda a: DIFF.broadcast_to(a, (4, 2, 3)), lambda a: numpy.broadcast_to(a, (4, 2, 3)), (A,)),
    "expand_dims": (lambda a: DIFF.expand_dims(a, 1), lambda a: numpy.expand_dims(a, 1), (A,)),
    "squeeze": (lambda a: DIFF.squeeze(a, 0), lambda a: numpy.squeeze(a, 0), (A[:1],)),
    "concatenate": (lambda a, b: DIFF.concatenate([a, b], axis=1), lambda a, b: numpy.concatenate([a, b], axis=1),
                    (A, B)),
    "stack": (lambda a, b: DIFF.stack([a, b], axis=2), lambda a, b: numpy.stack([a, b], axis=2), (A, B)),
    "split": (lambda a: DIFF.split(a, [1], axis=1)[1], lambda a: numpy.split(a, [1], axis=1)[1], (A,)),
    "moveaxis": (lambda a: DIFF.moveaxis(a, 0, -1), lambda a: numpy.moveaxis(a, 0, -1), (A[None],)),
    "swapaxes": (lambda a: DIFF.swapaxes(a, 0, 1), lambda a: numpy.swapaxes(a, 0, 1), (A,)),
    "matmul": (DIFF.matmul, numpy.matmul, (A, M)),
    "dot": (DIFF.dot, numpy.dot, (A, M)),
    "asarray": (lambda a: DIFF.asarray(a, dtype=numpy.float64), lambda a: numpy.asarray(a, dtype=numpy.float64),
                (A.astype(numpy.float32),)),
}
# Members whose value is not numpy's bit for bit: (max ulps, why).
ULPS: dict[str, tuple[int, str]] = {
    "tan": (2, "sin(x) / cos(x): two roundings and a division where numpy's tan rounds once"),
}
# Members with no gradient (comparisons, constructors, sign, arg*), members the
# other namespace test covers, and tensordot (which refuses).
OTHERS = {
    "sign", "greater", "greater_equal", "less", "less_equal", "equal", "not_equal", "logical_and",
    "logical_not", "isfinite", "argmax", "argmin", "zeros", "ones", "full", "zeros_like", "ones_like",
    "full_like", "empty_like", "arange", "eye", "as_variable", "tile", "repeat", "flip", "pad", "tensordot",
}


def test_every_member_is_covered() -> None:
    members = {name for name in dir(DiffNamespace) if not name.startswith("_") and callable(getattr(DIFF, name))}
    members -= {"float16", "float32", "float64", "int32", "int64", "bool_"}
    assert members == set(MEMBERS) | OTHERS, (sorted(members - set(MEMBERS) - OTHERS),
                                             sorted(set(MEMBERS) | OTHERS - members))


def _ulps(got: numpy.ndarray[Any, Any], want: numpy.ndarray[Any, Any]) -> int:
    spacing = numpy.spacing(numpy.abs(want).astype(want.dtype))
    return int(numpy.max(numpy.abs(got.astype(numpy.float64) - want) / spacing, initial=0))


@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_member_has_numpys_value_on_variables(name: str) -> None:
    member, reference, inputs = MEMBERS[name]
    got = member(*[fchain.Variable(x.copy()) for x in inputs])
    assert isinstance(got, fchain.Variable) and got.creator is not None, f"{name} recorded nothing"
    want = numpy.asarray(reference(*inputs))
    assert got.dtype == want.dtype and got.shape == want.shape
    assert _ulps(got.array, want) <= ULPS.get(name, (0, ""))[0], (got.array, want)


@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_member_has_the_right_derivative(name: str) -> None:
    member, _, inputs = MEMBERS[name]
    y = member(*[fchain.Variable(x.copy()) for x in inputs])
    gy = RNG.standard_normal(y.shape).astype(y.dtype)
    check_backward(lambda *xs: member(*xs), tuple(x.copy() for x in inputs), gy, eps=1e-6, rtol=1e-6, atol=1e-9,
                   rng=numpy.random.default_rng(0))


def test_the_derivatives_are_differentiable_again() -> None:
    """tanh's second derivative through the namespace: d/dx (1 - tanh^2) = -2 tanh (1 - tanh^2)."""
    x = fchain.Variable(A.copy())
    (g,) = fchain.grad([F.sum(cast(fchain.Variable, DIFF.tanh(cast(Array, x))))], [x], enable_double_backprop=True)
    assert g is not None
    (gg,) = fchain.grad([F.sum(g)], [x])
    t = numpy.tanh(A)
    assert gg is not None
    numpy.testing.assert_allclose(gg.array, -2 * t * (1 - t * t), rtol=1e-12)
