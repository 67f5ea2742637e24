"""Type aliases and small helpers shared by the op files.

The argument checks (``real_arg``, ``int_arg``, ``bool_arg``, ``shape_arg``,
``axis_arg``) are called only when the cheap ``type(v) is ...`` test of the common
case fails, so a well-typed call pays one type comparison per scalar argument.
``name_arrays`` and ``name_operands`` run in the error branch of an op that hands
its array arguments straight to ``apply``: they replace ``apply``'s positional
"input 0" by the parameter's name, at no cost on the hot path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias, cast

from numpy import generic as _numpy_scalar

from fchain.graph.apply import no_data_error as _no_data
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = [
    "ARRAY_KINDS",
    "Forwarded",
    "Grads",
    "Inputs",
    "SCALAR_TYPES",
    "VariableLike",
    "axis_arg",
    "bool_arg",
    "describe",
    "int_arg",
    "is_integer",
    "name_arrays",
    "name_operands",
    "normalize_axes",
    "real_arg",
    "sequence_arg",
    "shape_arg",
    "shape_of",
]

Inputs: TypeAlias = tuple[Array, ...]
"""The arrays an op's forward receives, or the residuals its vjp receives."""

Forwarded: TypeAlias = tuple[tuple[Array, ...], tuple[Array, ...]]
"""What a forward returns: ``(outputs, residuals)``."""

Grads: TypeAlias = tuple[Array | None, ...]
"""What a vjp returns: one gradient per input, ``None`` where there is none."""

VariableLike: TypeAlias = Variable | Array
"""What an fchain function accepts as an array argument."""


SCALAR_TYPES = (int, float, _numpy_scalar)
"""Operands that binary ops take as a parameter rather than a graph input."""

ARRAY_KINDS = "a Variable, numpy.ndarray or cupy.ndarray"
"""How the messages name what an array argument may be."""



def _numpy_kind(value: object) -> str:
    """The dtype kind of a numpy scalar (``'f'``, ``'i'``, ...), ``''`` for anything else."""
    return str(value.dtype.kind) if isinstance(value, _numpy_scalar) else ""


def is_integer(value: object) -> bool:
    """A Python or numpy integer, not a bool."""
    if isinstance(value, int):
        return not isinstance(value, bool)
    return _numpy_kind(value) in ("i", "u")


def _is_real(value: object) -> bool:
    """A Python or numpy int or float, not a bool."""
    if isinstance(value, (int, float)):
        return not isinstance(value, bool)
    return _numpy_kind(value) in ("i", "u", "f")


def describe(value: object) -> str:
    """``value``'s type and (shortened) repr, as the messages quote what came."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def real_arg(op_name: str, arg: str, value: object) -> float:
    """``value`` as a float; a ``TypeError`` naming the op and argument unless it is
    a real number (Python or numpy int or float; not a bool)."""
    if _is_real(value):
        return float(cast(float, value))
    raise TypeError(f"{op_name}: {arg} must be a real number, got {describe(value)}")


def int_arg(op_name: str, arg: str, value: object) -> int:
    """``value`` as an int; a ``TypeError`` unless it is a Python or numpy integer
    (not a bool)."""
    if is_integer(value):
        return int(cast(int, value))
    raise TypeError(f"{op_name}: {arg} must be an int, got {describe(value)}")


def bool_arg(op_name: str, arg: str, value: object) -> bool:
    """``value`` as a bool; a ``TypeError`` unless it is a Python or numpy bool."""
    if isinstance(value, bool) or _numpy_kind(value) == "b":
        return bool(value)
    raise TypeError(f"{op_name}: {arg} must be a bool, got {describe(value)}")


def axis_arg(op_name: str, value: object, ndim: int, arg: str = "axis") -> int:
    """A single axis of an array with ``ndim`` dimensions, made non-negative."""
    axis = value if type(value) is int else int_arg(op_name, arg, value)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op_name}: {arg} {axis} is out of range for an input with {ndim} dimensions")
    return axis % ndim


def shape_arg(op_name: str, arg: str, value: object) -> tuple[int, ...]:
    """A shape: an int, a sequence of ints (Python or numpy integers) or a 1-d
    integer array."""
    if type(value) is tuple and all(type(n) is int for n in value):
        return value
    if is_integer(value):
        return (int(cast(int, value)),)
    if not isinstance(value, Variable) and getattr(value, "ndim", None) == 1 and \
            str(getattr(getattr(value, "dtype", None), "kind", "")) in ("i", "u"):
        return tuple(int(n) for n in cast(Array, value).tolist())  # a 1-d integer array
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        out = []
        for n in value:
            if not is_integer(n):
                raise TypeError(f"{op_name}: {arg} must be an int or a sequence of ints, "
                                f"got {describe(value)} (an entry is {describe(n)})")
            out.append(int(n))
        return tuple(out)
    raise TypeError(f"{op_name}: {arg} must be an int or a sequence of ints, got {describe(value)}")


def normalize_axes(op_name: str, axis: object, ndim: int) -> tuple[int, ...] | None:
    """``axis`` as a sorted tuple of non-negative ints, or ``None`` for all axes.

    Raises a ``TypeError`` naming the op unless ``axis`` is None, an int or a
    tuple (or list) of ints, and a ``ValueError`` when an axis is out of range or
    repeated.
    """
    if axis is None:
        return None
    if is_integer(axis):
        axes: tuple[object, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(f"{op_name}: axis must be None, an int or a tuple of ints, got {describe(axis)}")
    out: list[int] = []
    for a in axes:
        if not is_integer(a):
            raise TypeError(f"{op_name}: axis must be None, an int or a tuple of ints, got {describe(axis)}")
        k = int(cast(int, a))
        if not -ndim <= k < ndim:
            raise ValueError(f"{op_name}: axis {k} is out of range for an input with {ndim} dimensions")
        out.append(k % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op_name}: axis {axis!r} repeats an axis")
    return tuple(sorted(out))


def sequence_arg(op_name: str, value: object, arg: str = "xs") -> tuple[VariableLike, ...]:
    """A list of Variables or arrays as a tuple: a list, a tuple or any other
    iterable of them (a generator: Chainer's functions take any iterable).  An array
    or a Variable is refused, as Chainer fails on one."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if isinstance(value, (Variable, str, bytes)) or hasattr(value, "shape") or not hasattr(value, "__iter__"):
        raise TypeError(f"{op_name}: {arg} must be a list or tuple of Variables or arrays, "
                        f"got {type(value).__name__}")
    return tuple(cast(Iterable[VariableLike], value))


def shape_of(x: VariableLike, op_name: str, arg: str = "x") -> tuple[int, ...]:
    """The shape of the argument ``arg`` of ``op_name``, a Variable or an array.

    Anything else raises a ``TypeError`` naming the op and the argument, worded as
    ``apply``'s own check (this runs first in ops that need the shape up front); a
    Variable without an array (an uninitialized Parameter) a ``ValueError``.
    """
    if type(x) is Variable:
        if x._data is None:
            raise _no_data(op_name, arg, x)
        return x.shape
    shape = getattr(x, "shape", None)
    if shape is None or isinstance(x, _numpy_scalar):  # a numpy scalar has a shape, but is no array
        if isinstance(x, Variable):  # an uninitialized Parameter
            raise _no_data(op_name, arg, x)
        raise TypeError(f"{op_name}: {arg} must be {ARRAY_KINDS}, got {type(x).__name__}")
    return tuple(shape)


def _is_array(x: object) -> bool:
    """A Variable or an array (numpy or CuPy); only error branches ask."""
    return isinstance(x, Variable) or (hasattr(x, "shape") and hasattr(x, "dtype")
                                       and not isinstance(x, _numpy_scalar))


def name_arrays(op_name: str, *named: tuple[str, object]) -> None:
    """For an error branch: raise the ``TypeError`` that names the first of the
    ``(name, value)`` pairs that is not a Variable or an array; return if all are
    (the caller then re-raises the error it caught)."""
    for name, value in named:
        if not _is_array(value):
            raise TypeError(f"{op_name}: {name} must be {ARRAY_KINDS}, got {type(value).__name__}") from None


def name_operands(op_name: str, *named: tuple[str, object]) -> None:
    """``name_arrays`` for the operands of arithmetic, which may also be real numbers."""
    for name, value in named:
        if not _is_array(value) and not isinstance(value, SCALAR_TYPES):
            raise TypeError(f"{op_name}: {name} must be a Variable, numpy.ndarray, cupy.ndarray "
                            f"or a real number, got {type(value).__name__}") from None
