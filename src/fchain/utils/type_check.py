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

import contextlib
import contextvars
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar, TypeAlias

import numpy

from fchain.core import backend
from fchain.errors import FchainError
from fchain.types import DType

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

# Python's operator precedence, used only to parenthesize printed expressions.
_OR, _XOR, _AND, _SHIFT, _ADD, _MUL, _UNARY, _POW, _ATOM = range(9)
_COMPARE = -1

_CURRENT_FUNCTION: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "fchain_type_check_function", default=None)


class InvalidType(FchainError, TypeError):
    """The inputs of a function do not satisfy its ``check_type_forward``.

    ``expect`` is the failed condition as written, ``actual`` the values it
    compared; the message also names the function being checked.
    """

    def __init__(self, expect: str, actual: str, msg: str | None = None) -> None:
        if msg is None:
            msg = f"Expect: {expect}\nActual: {actual}"
            function = _CURRENT_FUNCTION.get()
            if function is not None:
                msg = f"\nInvalid operation is performed in: {function} (Forward)\n\n{msg}"
        super().__init__(msg)
        self.expect = expect
        self.actual = actual

    def __reduce__(self) -> tuple[type[InvalidType], tuple[str, str, str]]:
        """Pickle with the finished message (exceptions cross process boundaries in
        multiprocess iterators)."""
        return InvalidType, (self.expect, self.actual, str(self.args[0]))


@contextlib.contextmanager
def get_function_check_context(function: object) -> Iterator[None]:
    """While active, ``InvalidType`` messages name ``function`` (its ``label``, or
    its type's name)."""
    label = getattr(function, "label", None)
    token = _CURRENT_FUNCTION.set(label if isinstance(label, str) else type(function).__name__)
    try:
        yield
    finally:
        _CURRENT_FUNCTION.reset(token)


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


def _value(v: object) -> Any:
    """The value of an expression, or of a list/tuple holding expressions."""
    if isinstance(v, Expr):
        return v._value
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_value(x) for x in v)
    if isinstance(v, slice):
        return slice(_value(v.start), _value(v.stop), _value(v.step))
    return v


def _text(v: object) -> str:
    """How ``v`` reads in a message: an expression as written, anything else by repr."""
    if isinstance(v, Expr):
        return v._render()
    if isinstance(v, list):
        return "[" + ", ".join(_text(x) for x in v) + "]"
    if isinstance(v, tuple):
        if len(v) == 1:
            return f"({_text(v[0])},)"
        return "(" + ", ".join(_text(x) for x in v) + ")"
    if isinstance(v, numpy.generic):
        return repr(v.item())  # 4, not numpy 2's np.int64(4)
    return repr(v)


def _operand(v: object, priority: int, tight: bool) -> str:
    """``v``'s text, parenthesized when it binds more loosely than an operator of
    ``priority`` (or as loosely, when ``tight``: the side that associativity does
    not cover)."""
    text = _text(v)
    if isinstance(v, Expr) and (v._priority < priority or (tight and v._priority == priority)):
        return f"({text})"
    return text


def _subscript(key: object) -> str:
    if key is Ellipsis:
        return "..."
    if isinstance(key, slice):
        parts = ["" if p is None else _text(p) for p in (key.start, key.stop, key.step)]
        return ":".join(parts if key.step is not None else parts[:2])
    if isinstance(key, tuple):
        return ", ".join(_subscript(k) for k in key)
    return _text(key)


def _binary(symbol: str, priority: int, func: Callable[[Any, Any], Any],
            right_associative: bool = False) -> Callable[[object, object], Expr]:
    def build(left: object, right: object) -> Expr:
        def render() -> str:
            lhs = _operand(left, priority, right_associative)
            rhs = _operand(right, priority, not right_associative)
            return f"{lhs} {symbol} {rhs}"

        return Expr(func(_value(left), _value(right)), priority, render)

    return build


def _reflected(build: Callable[[object, object], Expr]) -> Callable[[object, object], Expr]:
    def reflected(self: object, other: object) -> Expr:
        return build(other, self)

    return reflected


def _unary(symbol: str, func: Callable[[Any], Any]) -> Callable[[object], Expr]:
    def build(term: object) -> Expr:
        return Expr(func(_value(term)), _UNARY, lambda: symbol + _operand(term, _UNARY, False))

    return build


def _compare(symbol: str, inverse: str, func: Callable[[Any, Any], Any]
             ) -> Callable[[object, object], Condition]:
    def build(left: object, right: object) -> Condition:
        return Condition(left, right, symbol, inverse, func)

    return build


_Operator: TypeAlias = "Callable[[object, object], Expr]"
"""A binary operator of ``Expr`` (``a + b``), as the class attributes below are typed."""
_UnaryOperator: TypeAlias = "Callable[[object], Expr]"
_Comparison: TypeAlias = "Callable[[object, object], Condition]"

class Expr:
    """A value computed from inputs' type information, and how it was written.

    ``eval()`` gives the value; ``str()`` the expression as written (for
    messages).  Attribute access, indexing, calls, arithmetic and bitwise
    operators give new expressions; comparisons give ``Condition``\\ s for
    ``expect``.  Truth testing raises ``RuntimeError``: combine conditions by
    passing several to ``expect``, never with ``and``/``or``.
    """

    __slots__ = ("_priority", "_render", "_value")
    __array_ufunc__ = None  # a numpy scalar on the left defers to the reflected operator

    def __init__(self, value: object, priority: int, render: Callable[[], str]) -> None:
        self._value: Any = value  # whatever the expression computes
        self._priority = priority
        self._render = render

    def eval(self) -> Any:  # Any: the value of the user's expression, whatever it computes
        """The expression's value."""
        return self._value

    def __str__(self) -> str:
        return self._render()

    def __repr__(self) -> str:
        return f"<type_check.Expr {self._render()} = {self._value!r}>"

    def __bool__(self) -> bool:
        raise RuntimeError(
            f"type_check: the expression {self._render()!r} cannot be used as a bool; pass "
            "conditions to type_check.expect (one argument each, not joined by and/or), or "
            "read a value with type_check.eval")

    def __getattr__(self, name: str) -> Expr:
        if name.startswith("_"):
            # Protocols (copy, pickle, numpy's __array__ ...) and this class's own
            # slots, when not yet set, are not expressions.
            raise AttributeError(name)
        return Expr(getattr(self._value, name), _ATOM, lambda: f"{_operand(self, _ATOM, False)}.{name}")

    def __getitem__(self, key: object) -> Expr:
        return Expr(self._value[_value(key)], _ATOM,
                    lambda: f"{_operand(self, _ATOM, False)}[{_subscript(key)}]")

    def __call__(self, *args: object) -> Expr:
        return Expr(self._value(*(_value(a) for a in args)), _ATOM,
                    lambda: f"{_operand(self, _ATOM, False)}({', '.join(_text(a) for a in args)})")

    # Comparisons give conditions, not bools, so ``__eq__``/``__ne__`` differ from
    # ``object``'s on purpose (as numpy's arrays do).
    __eq__: ClassVar[_Comparison] = _compare("==", "!=", operator.eq)  # type: ignore[assignment]  # returns a Condition
    __ne__: ClassVar[_Comparison] = _compare("!=", "==", operator.ne)  # type: ignore[assignment]  # returns a Condition
    __lt__: ClassVar[_Comparison] = _compare("<", ">=", operator.lt)
    __le__: ClassVar[_Comparison] = _compare("<=", ">", operator.le)
    __gt__: ClassVar[_Comparison] = _compare(">", "<=", operator.gt)
    __ge__: ClassVar[_Comparison] = _compare(">=", "<", operator.ge)
    __hash__: ClassVar[None] = None  # type: ignore[assignment]  # equality builds a condition

    __add__: ClassVar[_Operator] = _binary("+", _ADD, operator.add)
    __radd__: ClassVar[_Operator] = _reflected(__add__)
    __sub__: ClassVar[_Operator] = _binary("-", _ADD, operator.sub)
    __rsub__: ClassVar[_Operator] = _reflected(__sub__)
    __mul__: ClassVar[_Operator] = _binary("*", _MUL, operator.mul)
    __rmul__: ClassVar[_Operator] = _reflected(__mul__)
    __truediv__: ClassVar[_Operator] = _binary("/", _MUL, operator.truediv)
    __rtruediv__: ClassVar[_Operator] = _reflected(__truediv__)
    __floordiv__: ClassVar[_Operator] = _binary("//", _MUL, operator.floordiv)
    __rfloordiv__: ClassVar[_Operator] = _reflected(__floordiv__)
    __mod__: ClassVar[_Operator] = _binary("%", _MUL, operator.mod)
    __rmod__: ClassVar[_Operator] = _reflected(__mod__)
    __pow__: ClassVar[_Operator] = _binary("**", _POW, operator.pow, right_associative=True)
    __rpow__: ClassVar[_Operator] = _reflected(__pow__)
    __lshift__: ClassVar[_Operator] = _binary("<<", _SHIFT, operator.lshift)
    __rlshift__: ClassVar[_Operator] = _reflected(__lshift__)
    __rshift__: ClassVar[_Operator] = _binary(">>", _SHIFT, operator.rshift)
    __rrshift__: ClassVar[_Operator] = _reflected(__rshift__)
    __and__: ClassVar[_Operator] = _binary("&", _AND, operator.and_)
    __rand__: ClassVar[_Operator] = _reflected(__and__)
    __xor__: ClassVar[_Operator] = _binary("^", _XOR, operator.xor)
    __rxor__: ClassVar[_Operator] = _reflected(__xor__)
    __or__: ClassVar[_Operator] = _binary("|", _OR, operator.or_)
    __ror__: ClassVar[_Operator] = _reflected(__or__)
    __neg__: ClassVar[_UnaryOperator] = _unary("-", operator.neg)
    __pos__: ClassVar[_UnaryOperator] = _unary("+", operator.pos)
    __invert__: ClassVar[_UnaryOperator] = _unary("~", operator.invert)


class Condition(Expr):
    """A comparison of two expressions (or an expression and a value), for ``expect``."""

    __slots__ = ("_inverse", "_left", "_right", "_symbol")

    # Any: ``func`` is an ``operator`` comparison, which typeshed types with protocols
    # of its own (``operator.lt`` takes comparable operands, not objects).
    def __init__(self, left: object, right: object, symbol: str, inverse: str,
                 func: Callable[[Any, Any], object]) -> None:
        self._left = left
        self._right = right
        self._symbol = symbol
        self._inverse = inverse
        holds = bool(func(_value(left), _value(right)))
        super().__init__(holds, _COMPARE, lambda: f"{_text(left)} {symbol} {_text(right)}")

    def expect(self) -> None:
        """Raise ``InvalidType`` unless the comparison holds."""
        if not self._value:
            raise InvalidType(self._render(),
                              f"{_value(self._left)} {self._inverse} {_value(self._right)}")


class Constant(Expr):
    """A fixed value in an expression (printed by its ``repr``)."""

    __slots__ = ()

    def __init__(self, value: object) -> None:
        super().__init__(value, _ATOM, lambda: _text(value))


class Variable(Expr):
    """A named value: each input's type information, or a user's ``make_variable``.
    ``name`` may be changed (``argname`` does) and later messages use the new one."""

    __slots__ = ("name",)

    def __init__(self, value: object, name: str) -> None:
        self.name: str = name
        super().__init__(value, _ATOM, lambda: self.name)


class TypeInfoTuple(tuple[Variable, ...]):
    """The type information of all inputs, one ``Variable`` expression each
    (``in_types[0].shape``, ...), named ``<name>[i]`` until ``argname`` renames them."""

    name: str

    def size(self) -> Expr:
        """The number of inputs, as an expression (``in_types.size() == 2``)."""
        return Variable(len(self), f"{self.name}.size")


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
    return _value(exp)


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
    return Expr(_product(_value(xs)), _ATOM, lambda: f"prod({_text(xs)})")


def expect_broadcast_shapes(*shape_types: object) -> None:
    """``InvalidType`` listing every shape unless the shapes (expressions or tuples)
    broadcast together."""
    shapes = [tuple(_value(s)) for s in shape_types]
    try:
        numpy.broadcast_shapes(*shapes)
    except ValueError:
        lines = ["cannot broadcast inputs of the following shapes:"]
        lines += [f"{_text(s)} = {shape}" for s, shape in zip(shape_types, shapes)]
        raise InvalidType("", "", "\n".join(lines)) from None


def same_types(*arrays: object) -> bool:
    """Whether the arrays are all numpy arrays or all CuPy arrays."""
    if all(isinstance(a, numpy.ndarray) for a in arrays):
        return True
    return all(backend.is_cupy_array(a) for a in arrays)
