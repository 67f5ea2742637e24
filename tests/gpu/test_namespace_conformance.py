"""CuPy against the ``ArrayNamespace`` protocol: the run-time check behind the one
``cast(ArrayNamespace, cupy)`` in ``fchain.core.backend``.

Every protocol member (read from the Protocol class itself, so a new member needs a
recipe here) is called on small inputs through numpy and through CuPy, with the
keyword names the protocol declares; the results must agree in dtype, shape and
value, and CuPy's must stay on the device.

The GPU test is one case per member.  The CPU tests check the recipe table itself
(complete, faithful to the protocol's signatures, runnable on numpy) so the one GPU
run is not spent on a broken table.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy
import pytest

from fchain.core import backend
from fchain.types import ArrayNamespace
from tests.conftest import requires_gpu
from tests.gpu import cupy


@dataclass(frozen=True)
class A:
    """A reference to one of the fixture arrays below, resolved on each device."""

    name: str


@dataclass(frozen=True)
class Call:
    args: tuple[object, ...]
    kwargs: Mapping[str, object] = field(default_factory=dict)
    values: bool = True  # False: compare shape and dtype only (empty_like)


def _fixtures() -> dict[str, numpy.ndarray[Any, Any]]:
    rng = numpy.random.default_rng(20240607)
    y = rng.uniform(-1.0, 1.0, (2, 3)).astype(numpy.float32)
    y[0, 1] = 0.0  # sign(0), maximum/minimum/greater at an exact zero
    z = numpy.array([1.0, numpy.nan, numpy.inf, -numpy.inf, 0.0, -2.5], dtype=numpy.float32)
    return {
        "x": rng.uniform(0.1, 0.9, (2, 3)).astype(numpy.float32),  # positive: log, sqrt, power
        "y": y,
        "d": rng.uniform(-2.0, 2.0, (2, 3)),  # float64
        "t": rng.standard_normal((2, 3, 4)).astype(numpy.float32),
        "s": rng.standard_normal((2, 1, 3)).astype(numpy.float32),
        "m": rng.standard_normal((3, 4)).astype(numpy.float32),
        "w": rng.standard_normal((4, 5)).astype(numpy.float32),
        "v": rng.standard_normal(3).astype(numpy.float32),
        "b": numpy.array([[True, False, True], [False, True, True]]),
        "c": numpy.array([[True, True, False], [False, False, True]]),
        "z": z,
        "n": numpy.array([[3, -1, 4], [1, -5, 9]], dtype=numpy.int64),
    }


FIXTURES = _fixtures()
f32 = numpy.float32
f64 = numpy.float64

_UNARY_FLOAT = ["negative", "exp", "expm1", "square", "sin", "cos", "tan", "tanh", "absolute", "sign"]
_BINARY = ["add", "subtract", "multiply", "maximum", "minimum"]
_COMPARE = ["greater", "greater_equal", "less", "less_equal", "equal", "not_equal"]
_REDUCE = ["sum", "mean", "max", "min"]

RECIPES: dict[str, list[Call]] = {
    **{name: [Call((A("y"),)), Call((A("d"),))] for name in _UNARY_FLOAT},
    **{name: [Call((A("x"), A("y"))), Call((A("y"), 2.0)), Call((3, A("x"))), Call((A("d"), A("d")))]
       for name in _BINARY},
    "divide": [Call((A("y"), A("x"))), Call((1.0, A("x"))), Call((A("d"), 4))],
    "power": [Call((A("x"), 2)), Call((A("x"), 0.5)), Call((A("x"), A("y"))), Call((2.0, A("y")))],
    "log": [Call((A("x"),))],
    "log1p": [Call((A("x"),)), Call((A("y"),))],
    "sqrt": [Call((A("x"),))],
    "clip": [Call((A("y"), -0.5, 0.5)), Call((A("d"), -1, 1.5))],
    "where": [Call((A("b"), A("x"), A("y"))), Call((A("b"), A("y"), 0.0))],
    **{name: [Call((A("x"), A("y"))), Call((A("y"), 0.0)), Call((A("n"), 1))] for name in _COMPARE},
    "logical_and": [Call((A("b"), A("c")))],
    "logical_not": [Call((A("b"),))],
    "isfinite": [Call((A("z"),))],
    **{name: [Call((A("t"),), {"keepdims": True}),
              Call((A("t"),), {"keepdims": False}),
              Call((A("t"),), {"axis": 1, "keepdims": False}),
              Call((A("t"),), {"axis": (0, 2), "keepdims": True}),
              Call((A("d"),), {"axis": -1, "keepdims": True})] for name in _REDUCE},
    "argmax": [Call((A("y"),), {"axis": 1}), Call((A("t"),), {"axis": 0})],
    "argmin": [Call((A("y"),), {"axis": 1}), Call((A("t"),), {"axis": 2})],
    "reshape": [Call((A("t"),), {"shape": (4, 6)}), Call((A("t"),), {"shape": -1}),
                Call((A("t"), (3, -1)))],
    "transpose": [Call((A("t"),)), Call((A("t"),), {"axes": (2, 0, 1)})],
    "broadcast_to": [Call((A("v"),), {"shape": (2, 3)}), Call((A("s"),), {"shape": (2, 4, 3)})],
    "expand_dims": [Call((A("x"),), {"axis": 1}), Call((A("x"),), {"axis": (0, 3)})],
    "squeeze": [Call((A("s"),)), Call((A("s"),), {"axis": 1})],
    "concatenate": [Call(([A("x"), A("y")],)), Call(([A("x"), A("y")],), {"axis": 1})],
    "stack": [Call(([A("x"), A("y")],)), Call(([A("x"), A("y")],), {"axis": 2})],
    "split": [Call((A("t"),), {"indices_or_sections": 2, "axis": 2}),
              Call((A("t"),), {"indices_or_sections": [1, 3], "axis": 2}),
              Call((A("m"), 3))],
    "moveaxis": [Call((A("t"),), {"source": 0, "destination": 2}),
                 Call((A("t"),), {"source": [0, 1], "destination": [2, 0]})],
    "swapaxes": [Call((A("t"),), {"axis1": 0, "axis2": 2})],
    "tile": [Call((A("x"),), {"reps": 2}), Call((A("x"),), {"reps": (2, 1)})],
    "repeat": [Call((A("x"),), {"repeats": 2, "axis": 1}), Call((A("x"),), {"repeats": [1, 0, 2], "axis": 1})],
    "flip": [Call((A("t"),)), Call((A("t"),), {"axis": 1}), Call((A("t"),), {"axis": (0, 2)})],
    "pad": [Call((A("x"),), {"pad_width": [(1, 0), (0, 2)]}),
            Call((A("x"),), {"pad_width": [(1, 1), (2, 1)], "mode": "constant", "constant_values": 1.5}),
            Call((A("t"),), {"pad_width": [(0, 1), (2, 1), (1, 3)], "mode": "edge"}),
            Call((A("t"),), {"pad_width": [(0, 1), (2, 1), (1, 3)], "mode": "reflect"}),
            Call((A("t"),), {"pad_width": [(0, 1), (2, 1), (1, 3)], "mode": "symmetric"}),
            Call((A("t"),), {"pad_width": [(0, 1), (2, 1), (1, 5)], "mode": "wrap"})],
    "matmul": [Call((A("x"), A("m"))), Call((A("t"), A("w"))), Call((A("v"), A("m")))],
    "dot": [Call((A("x"), A("m"))), Call((A("v"), A("v")))],
    "tensordot": [Call((A("m"), A("m"))), Call((A("x"), A("m")), {"axes": 1}),
                  Call((A("t"), A("t")), {"axes": ([0, 1], [0, 1])})],
    "asarray": [Call(([1.0, 2.0],)), Call(([1, 2],), {"dtype": f32}), Call((A("x"),)), Call((3.5,))],
    "zeros": [Call(((2, 3),)), Call((4,), {"dtype": f32})],
    "ones": [Call(((2, 3),)), Call((4,), {"dtype": f32})],
    "full": [Call(((2, 3),), {"fill_value": 1.5, "dtype": f32}), Call(((2,),), {"fill_value": 2})],
    "zeros_like": [Call((A("x"),)), Call((A("x"),), {"dtype": f64})],
    "ones_like": [Call((A("y"),)), Call((A("n"),), {"dtype": f32})],
    "full_like": [Call((A("x"),), {"fill_value": 0.25}), Call((A("x"),), {"fill_value": 3, "dtype": numpy.int32})],
    "empty_like": [Call((A("x"),), values=False), Call((A("x"),), {"dtype": f64}, values=False)],
    "arange": [Call((5,))],
    "eye": [Call((3,)), Call((2,), {"M": 3, "k": 1, "dtype": f32})],
}

DTYPE_ATTRIBUTES = ["float16", "float32", "float64", "int32", "int64", "bool_"]


def protocol_members() -> tuple[list[str], list[str]]:
    """(functions, attributes) the ``ArrayNamespace`` Protocol declares."""
    functions = sorted(name for name, value in vars(ArrayNamespace).items()
                       if not name.startswith("_") and inspect.isfunction(value))
    attributes = sorted(name for name in ArrayNamespace.__annotations__ if not name.startswith("_"))
    return functions, attributes


def _resolve(value: object, send: Callable[[numpy.ndarray[Any, Any]], object]) -> object:
    if isinstance(value, A):
        return send(FIXTURES[value.name])
    if isinstance(value, list):
        return [_resolve(v, send) for v in value]
    return value


def run(xp: ArrayNamespace, name: str, call: Call,
        send: Callable[[numpy.ndarray[Any, Any]], object]) -> object:
    fn: Callable[..., object] = getattr(xp, name)
    args = [_resolve(a, send) for a in call.args]
    kwargs = {k: _resolve(v, send) for k, v in call.kwargs.items()}
    return fn(*args, **kwargs)


def _as_list(result: object) -> list[object]:
    return list(result) if isinstance(result, (list, tuple)) else [result]


# ------------------------------------------------------------------ CPU: the table
def test_every_protocol_member_has_a_recipe() -> None:
    functions, attributes = protocol_members()
    assert len(functions) > 50  # the introspection found the Protocol's methods
    assert sorted(RECIPES) == functions
    assert attributes == sorted(DTYPE_ATTRIBUTES)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipes_follow_the_protocol_signature(name: str) -> None:
    """Each call binds to the Protocol's signature, so CuPy gets called the way a
    rule may call it (keyword arguments under the Protocol's names)."""
    signature = inspect.signature(getattr(ArrayNamespace, name))
    for call in RECIPES[name]:
        signature.bind(None, *call.args, **call.kwargs)  # None stands for ``self``


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipes_run_on_numpy(name: str) -> None:
    """A dry run of the GPU test on the CPU: every recipe runs and yields arrays."""
    for call in RECIPES[name]:
        for r in _as_list(run(backend.NUMPY, name, call, lambda a: a)):
            assert numpy.asarray(r).dtype.kind in "fiub"


# ------------------------------------------------------------------ GPU
@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("name", sorted(RECIPES))
def test_cupy_matches_numpy(name: str) -> None:
    assert cupy is not None
    xp = backend.namespace_of(cupy.asarray(FIXTURES["x"]))
    assert xp is not backend.NUMPY
    problems: list[str] = []  # every call is tried: one GPU run reports all differences
    for call in RECIPES[name]:
        where = f"{name}(*{call.args}, **{dict(call.kwargs)})"
        expected = _as_list(run(backend.NUMPY, name, call, lambda a: a))
        try:
            got = _as_list(run(xp, name, call, cupy.asarray))
        except Exception as error:  # noqa: BLE001 - reported with the call that raised
            problems.append(f"{where}: CuPy raised {error!r}")
            continue
        if len(got) != len(expected):
            problems.append(f"{where}: {len(got)} results, numpy gives {len(expected)}")
            continue
        for g, e in zip(got, expected):
            problems.extend(_compare(where, g, numpy.asarray(e), call.values))
    assert not problems, "\n".join(problems)


def _compare(where: str, got: object, expected: numpy.ndarray[Any, Any], values: bool) -> list[str]:
    assert cupy is not None
    if not backend.is_cupy_array(got):
        return [f"{where}: CuPy returned a {type(got).__name__}, not a device array"]
    host = cupy.asnumpy(got)  # type: ignore[arg-type]  # checked just above: a cupy.ndarray
    if host.dtype != expected.dtype or host.shape != expected.shape:
        return [f"{where}: CuPy gives {host.dtype}{host.shape}, numpy {expected.dtype}{expected.shape}"]
    if not values:
        return []
    try:
        if host.dtype.kind == "f":
            tol = 1e-12 if host.dtype == numpy.float64 else 1e-5
            numpy.testing.assert_allclose(host, expected, rtol=tol, atol=tol)
        else:
            numpy.testing.assert_array_equal(host, expected)
    except AssertionError as error:
        return [f"{where}: values differ: {error}"]
    return []


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("name", DTYPE_ATTRIBUTES)
def test_cupy_dtype_attributes_are_numpys(name: str) -> None:
    assert cupy is not None
    ours = getattr(cupy, name)
    theirs = getattr(numpy, name)
    assert isinstance(ours, type) and issubclass(ours, theirs)
    assert numpy.dtype(ours) == numpy.dtype(theirs)


@pytest.mark.gpu
@requires_gpu
def test_namespace_of_a_cupy_array_is_the_cupy_module() -> None:
    assert cupy is not None
    a = cupy.asarray(FIXTURES["x"])
    assert backend.namespace_of(a) is backend.cupy_module()
    assert backend.namespace_of_all("add", (a, a)) is backend.cupy_module()
