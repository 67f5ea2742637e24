"""``apply`` reads its inputs the same way whatever their kind and number.

``apply`` unrolls the usual call (up to three inputs, each a Variable, Parameter
or numpy array holding numpy data) and sends everything else through one general
loop; its dtype test decides by identity and defers to ``check_dtypes`` when it
cannot.  These tests pin that every path gives the same outputs, graph and
errors: every kind of input in every position, equal dtypes that are distinct
objects, and the dtype errors of two- and three-input ops.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.errors import DTypeError
from fchain.types import Array

RNG = numpy.random.default_rng(7)


class SubVariable(fchain.Variable):
    """A Variable subclass: not the unrolled path's exact type."""


KINDS: dict[str, Callable[[Array], fchain.Variable | Array]] = {
    "array": lambda a: a,
    "variable": lambda a: fchain.Variable(a),
    "parameter": lambda a: fchain.Parameter(a),
    "subclass": lambda a: SubVariable(a),
}


def _arrays(n: int) -> list[Array]:
    x = RNG.normal(size=(4, 3)).astype(numpy.float32)
    W = RNG.normal(size=(2, 3)).astype(numpy.float32)
    b = RNG.normal(size=(2,)).astype(numpy.float32)
    return [x, W, b][:n]


def _call(fn: Callable[..., fchain.Variable], kinds: tuple[str, ...], arrays: list[Array]
          ) -> tuple[fchain.Variable, list[fchain.Variable | Array]]:
    inputs = [KINDS[k](a.copy()) for k, a in zip(kinds, arrays)]
    return fn(*inputs), inputs


CASES: list[tuple[str, Callable[..., fchain.Variable], int]] = [
    ("relu", F.relu, 1),
    ("linear without bias", F.linear, 2),
    ("linear", F.linear, 3),
]


@pytest.mark.parametrize(("name", "fn", "n"), CASES, ids=[c[0] for c in CASES])
def test_every_kind_of_input_in_every_position_gives_the_same_output_and_graph(
        name: str, fn: Callable[..., fchain.Variable], n: int) -> None:
    arrays = _arrays(n)
    reference, ref_inputs = _call(fn, ("variable",) * n, arrays)
    reference.grad = numpy.ones_like(reference.array)
    reference.backward()
    for kinds in itertools.product(KINDS, repeat=n):
        y, inputs = _call(fn, kinds, arrays)
        assert y.array.tobytes() == reference.array.tobytes(), kinds
        takes_grad = [isinstance(v, fchain.Variable) for v in inputs]
        assert y.requires_grad is any(takes_grad), kinds
        node = y.creator_node
        if any(takes_grad):
            assert node is not None
            assert [v is not None for v in node.inputs] == takes_grad, kinds
            assert all(v is None or v is inp for v, inp in zip(node.inputs, inputs)), kinds
            y.grad = numpy.ones_like(y.array)
            y.backward()
            for v, ref in zip(inputs, ref_inputs):
                if isinstance(v, fchain.Variable):
                    assert isinstance(ref, fchain.Variable)
                    assert v.grad is not None and ref.grad is not None
                    assert v.grad.tobytes() == ref.grad.tobytes(), kinds
        else:
            assert node is None


def test_equal_dtypes_that_are_distinct_objects_are_accepted() -> None:
    x, W, b = _arrays(3)
    tagged = numpy.dtype(numpy.float32, metadata={"tag": 1})  # equal to float32, another object
    assert tagged == x.dtype and tagged is not x.dtype
    y = F.linear(fchain.Variable(x), fchain.Parameter(W.view(tagged)), fchain.Parameter(b.view(tagged)))
    assert y.array.tobytes() == F.linear(x, W, b).array.tobytes()
    z = F.add(fchain.Variable(x), x.view(tagged))
    assert numpy.array_equal(z.array, x + x)


@pytest.mark.parametrize("kinds", list(itertools.product(["array", "variable", "parameter"], repeat=3)))
def test_dtype_errors_name_the_argument_whatever_the_kinds(kinds: tuple[str, str, str]) -> None:
    x, W, b = _arrays(3)
    make = [KINDS[k] for k in kinds]
    with pytest.raises(DTypeError, match=r"^linear: W has dtype float64 but x has float32; all floating inputs"):
        F.linear(make[0](x), make[1](W.astype(numpy.float64)), make[2](b))
    with pytest.raises(DTypeError, match=r"^linear: b has dtype float16 but x has float32; all floating inputs"):
        F.linear(make[0](x), make[1](W), make[2](b.astype(numpy.float16)))
    with pytest.raises(DTypeError, match=r"^linear: x must be a floating-point array, got dtype int32"):
        F.linear(make[0](x.astype(numpy.int32)), make[1](W), make[2](b))
    with pytest.raises(DTypeError, match=r"^add: y has dtype float64 but x has float32; all floating inputs"):
        F.add(make[0](x), make[1](x.astype(numpy.float64)))


def test_ops_whose_floating_input_is_not_the_first_accept_integer_first_inputs() -> None:
    ids = numpy.array([[0, 2], [1, 1]], dtype=numpy.int32)
    W = RNG.normal(size=(3, 4)).astype(numpy.float32)
    y = F.embed_id(ids, fchain.Parameter(W))
    assert numpy.array_equal(y.array, W[ids])
    with pytest.raises(DTypeError, match=r"^embed_id: W must be a floating-point array"):
        F.embed_id(ids, fchain.Parameter(W.astype(numpy.int32)))
