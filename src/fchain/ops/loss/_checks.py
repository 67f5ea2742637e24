"""Argument checks shared by the loss and evaluation functions.

Each raises fchain's own errors with a message naming the function, the argument,
what was expected and what came.  They run in the public functions, before the op
is applied, so a rule never sees a malformed call.
"""

from __future__ import annotations

from numpy import ndarray as _ndarray

from fchain.core import backend
from fchain.errors import DTypeError, LabelError, ShapeError
from fchain.graph.variable import Variable, as_array
from fchain.types import Array, DType

__all__ = ["array_of", "check_int_labels", "check_label_values", "check_reduce", "check_same_shape",
           "unsigned_view"]


def array_of(fname: str, argname: str, x: Variable | Array) -> Array:
    """The array behind a Variable or array argument; a clear error for anything else."""
    kind = type(x)
    if kind is _ndarray:
        return x  # type: ignore[return-value]  # a numpy array
    if kind is Variable:
        data = x._data  # type: ignore[union-attr]  # a Variable
        if data is not None:
            return data
    if isinstance(x, Variable):
        data = x._data
        if data is None:
            raise ValueError(f"{fname}: {argname} is an uninitialized Parameter")
        return data
    try:
        return as_array(x)
    except TypeError:
        raise TypeError(f"{fname}: {argname} must be a Variable, numpy.ndarray or cupy.ndarray, "
                        f"got {type(x).__name__}") from None


def check_reduce(fname: str, reduce: str) -> None:
    """``reduce`` must be ``'mean'`` or ``'no'`` (Chainer's wording)."""
    if reduce not in ("mean", "no"):
        raise ValueError(f"{fname}: only 'mean' and 'no' are valid for 'reduce', but {reduce!r} is given")


def check_int_labels(fname: str, t: Array, argname: str = "t") -> None:
    """``t`` (the argument ``argname``) must hold integer labels."""
    if t.dtype.kind not in "iu":
        raise DTypeError(f"{fname}: {argname} must be an integer array of labels, got dtype {t.dtype}")


def check_same_shape(fname: str, a_name: str, a: Array, b_name: str, b: Array) -> None:
    if tuple(a.shape) != tuple(b.shape):
        raise ShapeError(
            f"{fname}: {b_name} has shape {tuple(b.shape)} but {a_name} has shape {tuple(a.shape)}; "
            "they must be equal")


_UNSIGNED: dict[DType, DType] = {}
"""Each integer dtype's unsigned dtype of the same size, found on first use (parsing
a dtype name on every call would cost as much as the view)."""


def unsigned_view(t: Array) -> Array:
    """Integer labels ``t`` read as unsigned integers of the same size (a view):
    a negative label is then larger than any class count."""
    dtype = t.dtype
    if dtype.kind == "u":
        return t
    as_unsigned = _UNSIGNED.get(dtype)
    if as_unsigned is None:
        as_unsigned = _UNSIGNED[dtype] = t.view(f"u{dtype.itemsize}").dtype
    return t.view(as_unsigned)


def check_label_values(fname: str, t: Array, low: int, high: int, ignore_label: int | None,
                       argname: str = "t") -> bool:
    """Every label must lie in ``[low, high)`` or equal ``ignore_label``.  Returns
    whether every label lies in ``[low, high)``.  ``argname`` names ``t`` in the error.

    Usually decided from the minimum and maximum (two reductions, and two host
    synchronisations on the GPU); the elementwise test runs only when those do not.
    """
    if t.size == 0:
        return True
    if low == 0 and t.dtype.kind in "iu":
        # Read as unsigned integers of the same size, negative labels are larger
        # than any class count: one reduction decides the common case.
        if int(unsigned_view(t).max()) < high:
            return True
    xp = backend.namespace_of(t)
    lowest, highest = int(t.min()), int(t.max())
    if highest < high and lowest >= low:
        return True  # the common case
    if highest < high and lowest == ignore_label and (ignore_label == low - 1 or lowest == highest):
        return False  # in range or ignored, and some are ignored
    bad = xp.logical_not(xp.logical_and(xp.greater_equal(t, low), xp.less(t, high)))
    if ignore_label is not None:
        bad = xp.logical_and(bad, xp.not_equal(t, ignore_label))
    if bool(bad.any()):
        found = sorted({int(v) for v in backend.to_numpy(t)[backend.to_numpy(bad)].ravel()[:100]})[:5]
        allowed = f"{low} <= {argname} < {high}"
        if ignore_label is not None:
            allowed += f" or {argname} == {ignore_label} (ignore_label)"
        raise LabelError(f"{fname}: every label in {argname} must satisfy {allowed}, "
                         f"but {argname} contains {found}")
    return False
