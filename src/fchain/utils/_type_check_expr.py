"""The expressions of ``fchain.utils.type_check``: values that remember how they print.

An ``Expr`` holds its value (computed as it is built) and how to print itself, so
``expect`` can report a failed condition as the user wrote it and the values it
compared.  Operators, attribute access, indexing and calls on an expression build
new expressions; comparisons build a ``Condition``.  ``InvalidType`` is the error,
and ``get_function_check_context`` names the function being checked in it.
"""

from __future__ import annotations

import contextlib
import contextvars
import operator
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeAlias

import numpy

from fchain.errors import FchainError

__all__ = ["Condition", "Constant", "Expr", "InvalidType", "TypeInfoTuple", "Variable", "expr_text", "expr_value",
           "get_function_check_context", "ATOM"]

# Python's operator precedence, used only to parenthesize printed expressions.
_OR, _XOR, _AND, _SHIFT, _ADD, _MUL, _UNARY, _POW, ATOM = range(9)
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


def expr_value(v: object) -> Any:
    """The value of an expression, or of a list/tuple holding expressions."""
    if isinstance(v, Expr):
        return v._value
    if isinstance(v, list):
        return [expr_value(x) for x in v]
    if isinstance(v, tuple):
        return tuple(expr_value(x) for x in v)
    if isinstance(v, slice):
        return slice(expr_value(v.start), expr_value(v.stop), expr_value(v.step))
    return v


def expr_text(v: object) -> str:
    """How ``v`` reads in a message: an expression as written, anything else by repr."""
    if isinstance(v, Expr):
        return v._render()
    if isinstance(v, list):
        return "[" + ", ".join(expr_text(x) for x in v) + "]"
    if isinstance(v, tuple):
        if len(v) == 1:
            return f"({expr_text(v[0])},)"
        return "(" + ", ".join(expr_text(x) for x in v) + ")"
    if isinstance(v, numpy.generic):
        return repr(v.item())  # 4, not numpy 2's np.int64(4)
    return repr(v)


def _operand(v: object, priority: int, tight: bool) -> str:
    """``v``'s text, parenthesized when it binds more loosely than an operator of
    ``priority`` (or as loosely, when ``tight``: the side that associativity does
    not cover)."""
    text = expr_text(v)
    if isinstance(v, Expr) and (v._priority < priority or (tight and v._priority == priority)):
        return f"({text})"
    return text


def _subscript(key: object) -> str:
    if key is Ellipsis:
        return "..."
    if isinstance(key, slice):
        parts = ["" if p is None else expr_text(p) for p in (key.start, key.stop, key.step)]
        return ":".join(parts if key.step is not None else parts[:2])
    if isinstance(key, tuple):
        return ", ".join(_subscript(k) for k in key)
    return expr_text(key)


def _binary(symbol: str, priority: int, func: Callable[[Any, Any], Any],
            right_associative: bool = False) -> Callable[[object, object], Expr]:
    def build(left: object, right: object) -> Expr:
        def render() -> str:
            lhs = _operand(left, priority, right_associative)
            rhs = _operand(right, priority, not right_associative)
            return f"{lhs} {symbol} {rhs}"

        return Expr(func(expr_value(left), expr_value(right)), priority, render)

    return build


def _reflected(build: Callable[[object, object], Expr]) -> Callable[[object, object], Expr]:
    def reflected(self: object, other: object) -> Expr:
        return build(other, self)

    return reflected


def _unary(symbol: str, func: Callable[[Any], Any]) -> Callable[[object], Expr]:
    def build(term: object) -> Expr:
        return Expr(func(expr_value(term)), _UNARY, lambda: symbol + _operand(term, _UNARY, False))

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
        return Expr(getattr(self._value, name), ATOM, lambda: f"{_operand(self, ATOM, False)}.{name}")

    def __getitem__(self, key: object) -> Expr:
        return Expr(self._value[expr_value(key)], ATOM,
                    lambda: f"{_operand(self, ATOM, False)}[{_subscript(key)}]")

    def __call__(self, *args: object) -> Expr:
        return Expr(self._value(*(expr_value(a) for a in args)), ATOM,
                    lambda: f"{_operand(self, ATOM, False)}({', '.join(expr_text(a) for a in args)})")

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
        holds = bool(func(expr_value(left), expr_value(right)))
        super().__init__(holds, _COMPARE, lambda: f"{expr_text(left)} {symbol} {expr_text(right)}")

    def expect(self) -> None:
        """Raise ``InvalidType`` unless the comparison holds."""
        if not self._value:
            raise InvalidType(self._render(),
                              f"{expr_value(self._left)} {self._inverse} {expr_value(self._right)}")


class Constant(Expr):
    """A fixed value in an expression (printed by its ``repr``)."""

    __slots__ = ()

    def __init__(self, value: object) -> None:
        super().__init__(value, ATOM, lambda: expr_text(value))


class Variable(Expr):
    """A named value: each input's type information, or a user's ``make_variable``.
    ``name`` may be changed (``argname`` does) and later messages use the new one."""

    __slots__ = ("name",)

    def __init__(self, value: object, name: str) -> None:
        self.name: str = name
        super().__init__(value, ATOM, lambda: self.name)


class TypeInfoTuple(tuple[Variable, ...]):
    """The type information of all inputs, one ``Variable`` expression each
    (``in_types[0].shape``, ...), named ``<name>[i]`` until ``argname`` renames them."""

    name: str

    def size(self) -> Expr:
        """The number of inputs, as an expression (``in_types.size() == 2``)."""
        return Variable(len(self), f"{self.name}.size")
