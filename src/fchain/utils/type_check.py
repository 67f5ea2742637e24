"""Checking the types of a function's inputs (Chainer's ``chainer.utils.type_check``).

A user-defined ``FunctionNode`` (or old-style ``Function``) may declare what its
inputs must look like; fchain calls it before ``forward`` while
``fchain.config.type_check`` is on (the default)::

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x', 'W'))
        x_type, w_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim == 2,
            x_type.shape[1] == w_type.shape[1],
        )

Each element of ``in_types`` is an expression (``Expr``) over one input's
``TypeInfo`` (``shape``, ``dtype``, ``ndim``, ``size``).  Attribute access,
indexing, calls and arithmetic on an expression give new expressions; a
comparison gives a ``Condition``; ``expect`` raises ``InvalidType`` naming the
first condition that does not hold, as written, and the values it compared::

    Invalid operation is performed in: MyLinear (Forward)

    Expect: x.shape[1] == W.shape[1]
    Actual: 3 != 4

Unlike Chainer, which builds a lazy expression tree and evaluates it in
``expect`` (after a first, untraced pass), fchain evaluates each expression as it
is built and keeps only how to print it, so one pass gives both the check and
the message.  Consequences: a misspelt attribute (``x_type.ndims``) raises
``AttributeError`` where it is written, and ``bool(expr)`` is an error (so
``a == b and c == d``, which Python would silently reduce to ``c == d``, fails
loudly): pass conditions to ``expect`` separately.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy

from fchain.core import backend
from fchain.types import DType
from fchain.utils._type_check_expr import (
    Condition as Condition,
    Constant as Constant,
    Expr as Expr,
    InvalidType as InvalidType,
    TypeInfoTuple as TypeInfoTuple,
    Variable as Variable,
    get_function_check_context as get_function_check_context,
)
from fchain.utils._type_check_expr import ATOM, expr_text, expr_value

__all__ = [
    "Condition",
    "Constant",
    "Expr",
    "InvalidType",
    "TypeInfo",
    "TypeInfoTuple",
    "Variable",
    "argname",
    "eval",
    "expect",
    "expect_broadcast_shapes",
    "get_function_check_context",
    "get_types",
    "make_variable",
    "prod",
    "same_types",
]

class TypeInfo:
    """What a check may know of one input array: ``shape``, ``dtype``, ``ndim`` and
    ``size`` (the same for numpy and CuPy arrays).  ``dtype`` is ``None`` for a
    missing gradient."""

    def __init__(self, shape: tuple[int, ...], dtype: DType | None) -> None:
        self.shape = shape
        self.dtype = dtype
        self.ndim: int = len(shape)

    @property
    def size(self) -> int:
        total = 1
        for n in self.shape:
            total *= n
        return total

    def __repr__(self) -> str:
        return f"TypeInfo(shape={self.shape}, dtype={self.dtype})"


def _type_of(name: str, index: int, array: object, accept_none: bool) -> Variable:
    label = f"{name}[{index}]"
    if array is None and accept_none:
        return Variable(TypeInfo((), None), label)
    shape, dtype = getattr(array, "shape", None), getattr(array, "dtype", None)
    if not isinstance(shape, tuple) or not isinstance(dtype, numpy.dtype):
        raise InvalidType(f"isinstance({label}, ndarray)", f"type({label}) == {type(array).__name__}")
    return Variable(TypeInfo(shape, dtype), label)


def get_types(data: Sequence[object], name: str, accept_none: bool) -> TypeInfoTuple:
    """The type information of ``data`` (arrays; ``None`` too when ``accept_none``)
    as expressions named ``<name>[0]``, ``<name>[1]``, ..."""
    info = TypeInfoTuple(_type_of(name, i, a, accept_none) for i, a in enumerate(data))
    info.name = name
    return info


def argname(in_types: Sequence[Expr], names: Sequence[str]) -> None:
    """Name each input for messages (``x``, ``W`` instead of ``in_types[0]``, ...);
    ``InvalidType`` when the number of inputs is not the number of names."""
    if len(in_types) != len(names):
        raise InvalidType(f"{len(names)} argument(s)", f"{len(in_types)} argument(s)",
                          "Invalid number of arguments")
    for in_type, new_name in zip(in_types, names):
        if isinstance(in_type, Variable):
            in_type.name = new_name


_argname = argname  # Chainer's own functions call it by its private name


def expect(*bool_exprs: Expr | bool | numpy.bool_) -> None:
    """Check every condition in order; the first that does not hold raises
    ``InvalidType`` naming it and the values it compared.  A plain ``bool`` (computed
    outside the expressions) is accepted too, with a less telling message."""
    for condition in bool_exprs:
        if isinstance(condition, Condition):
            condition.expect()
        elif isinstance(condition, Expr):
            if not condition._value:
                raise InvalidType(condition._render(), repr(condition._value))
        elif isinstance(condition, (bool, numpy.bool_)):
            if not condition:
                raise InvalidType("a condition given as a plain bool to be true", "False")
        else:
            raise TypeError(f"type_check.expect: conditions must be expressions or bools, "
                            f"got {type(condition).__name__}")


# Any: the value of the user's expression, whatever it computes.
def eval(exp: object) -> Any:  # noqa: A001  # Chainer's name, shadowing the builtin here only
    """The value of an expression (lists and tuples of them too); anything else as is."""
    return expr_value(exp)


def make_variable(value: object, name: str) -> Variable:
    """An expression with ``value``, printed as ``name``."""
    return Variable(value, name)


def _product(values: Iterable[Any]) -> Any:
    result: Any = 1
    for v in values:
        result = result * v
    return result


def prod(xs: object) -> Expr:
    """The product of ``xs`` (an expression such as ``x_type.shape[1:]``, or a
    sequence), as an expression printed ``prod(...)``."""
    return Expr(_product(expr_value(xs)), ATOM, lambda: f"prod({expr_text(xs)})")


def expect_broadcast_shapes(*shape_types: object) -> None:
    """``InvalidType`` listing every shape unless the shapes (expressions or tuples)
    broadcast together."""
    shapes = [tuple(expr_value(s)) for s in shape_types]
    try:
        numpy.broadcast_shapes(*shapes)
    except ValueError:
        lines = ["cannot broadcast inputs of the following shapes:"]
        lines += [f"{expr_text(s)} = {shape}" for s, shape in zip(shape_types, shapes)]
        raise InvalidType("", "", "\n".join(lines)) from None


def same_types(*arrays: object) -> bool:
    """Whether the arrays are all numpy arrays or all CuPy arrays."""
    if all(isinstance(a, numpy.ndarray) for a in arrays):
        return True
    return all(backend.is_cupy_array(a) for a in arrays)
