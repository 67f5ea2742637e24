"""Which array namespace an array belongs to: numpy, or CuPy when it is installed.

This is the one place that knows about CuPy.  ``cast`` confines the claim that the
``cupy`` module satisfies ``ArrayNamespace`` to a single line, checked at run time
by the GPU conformance test.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, cast

import numpy

from fchain.array_module import ArrayModule
from fchain.errors import DeviceMismatchError
from fchain.types import Array, ArrayNamespace, DTypeLike, Shape

__all__ = [
    "cupy_module",
    "gpu_available",
    "is_cupy_array",
    "is_dtype",
    "module_of",
    "namespace_of",
    "namespace_of_all",
    "scatter_add",
    "scatter_add_flat",
    "scatter_add_rows",
    "to_numpy",
]

NUMPY: ArrayNamespace = numpy
NUMPY_MODULE: ArrayModule = numpy
_ndarray = numpy.ndarray


def is_dtype(typ: object) -> bool:
    """Whether numpy reads ``typ`` as a dtype (``numpy.float32``, ``'float64'``, ...)."""
    try:
        numpy.dtype(typ)  # type: ignore[call-overload]  # any object may be tried
    except (TypeError, ValueError):
        return False
    return True


def _import_cupy() -> ModuleType | None:
    try:
        return importlib.import_module("cupy")
    except Exception:  # ImportError, or a CUDA driver error raised at import time
        return None


_CUPY: ModuleType | None | bool = False  # False: not looked up yet


def cupy_module() -> ModuleType | None:
    """The ``cupy`` module, or ``None`` where CuPy is not installed."""
    global _CUPY
    if _CUPY is False:
        _CUPY = _import_cupy()
    return _CUPY if isinstance(_CUPY, ModuleType) else None


def gpu_available() -> bool:
    """True when CuPy is installed and sees at least one CUDA device."""
    cp = cupy_module()
    if cp is None:
        return False
    try:
        return int(cp.cuda.runtime.getDeviceCount()) > 0
    except Exception:
        return False


def is_cupy_array(a: object) -> bool:
    """True for a ``cupy.ndarray`` (without importing CuPy where it is absent)."""
    return type(a).__module__.startswith("cupy")


def namespace_of(a: Array) -> ArrayNamespace:
    """The namespace whose functions operate on ``a``."""
    if type(a) is _ndarray:
        return NUMPY
    if is_cupy_array(a):
        cp = cupy_module()
        if cp is not None:
            return cast(ArrayNamespace, cp)
    return NUMPY


def module_of(a: Array) -> ArrayModule:
    """The module (numpy or CuPy) of ``a``, typed as users see it (``Variable.xp``)."""
    if type(a) is not _ndarray and is_cupy_array(a):
        cp = cupy_module()
        if cp is not None:
            return cast(ArrayModule, cp)
    return NUMPY_MODULE


def namespace_of_all(op_name: str, arrays: tuple[Array, ...]) -> ArrayNamespace:
    """The common namespace of ``arrays``; a clear error when devices differ."""
    first = arrays[0]
    kind = type(first)
    if kind is _ndarray:
        for i in range(1, len(arrays)):
            if type(arrays[i]) is not _ndarray and not isinstance(arrays[i], _ndarray):
                raise _mismatch(op_name, arrays)
        return NUMPY
    xp = namespace_of(first)
    device = getattr(first, "device", None)
    for i in range(1, len(arrays)):
        other = arrays[i]
        if namespace_of(other) is not xp or getattr(other, "device", None) != device:
            raise _mismatch(op_name, arrays)
    return xp


def _describe_device(a: Array) -> str:
    if is_cupy_array(a):
        return f"@cupy:{getattr(getattr(a, 'device', None), 'id', '?')}"
    return "@numpy"


def _mismatch(op_name: str, arrays: tuple[Array, ...]) -> DeviceMismatchError:
    where = ", ".join(f"input {i} on {_describe_device(a)}" for i, a in enumerate(arrays))
    return DeviceMismatchError(
        f"{op_name}: all inputs must be on one device, but got {where}; "
        "move them with to_device() first"
    )


def to_numpy(a: Array) -> Array:
    """A numpy copy of a CuPy array; numpy arrays are returned as they are."""
    if type(a) is _ndarray:
        return a
    if is_cupy_array(a):
        return cast(Array, cast(Any, a).get())
    return numpy.asarray(a)


def _is_integer_index(item: object) -> bool:
    """True for an index entry that may address one element several times."""
    if isinstance(item, (list, tuple)):
        return True
    kind = getattr(getattr(item, "dtype", None), "kind", None)
    return kind is not None and kind in "iu" and getattr(item, "ndim", 0) > 0


def scatter_add(xp: ArrayNamespace, shape: Shape, dtype: DTypeLike, index: object,
                values: Array, base: Array | None = None) -> Array:
    """``zeros(shape, dtype)`` with ``values`` added at ``index``; with ``base``, a
    copy of ``base`` (of that shape and dtype) instead of the zeros.

    ``index`` is anything ``array[index]`` accepts; ``values`` has the shape of
    ``zeros(shape)[index]``.  Positions an integer-array index names several times
    accumulate (numpy's ``add.at``, CuPy's ``add.at`` or ``cupyx.scatter_add``): this
    is the gradient of indexing.  Indices without integer arrays (ints, slices,
    ``None``, ``Ellipsis``, boolean masks) address each element at most once and take
    a plain assignment (an addition onto ``base``).
    """
    out = xp.zeros(shape, dtype=dtype) if base is None else base.copy()
    key = cast(Any, index)
    items = index if isinstance(index, tuple) else (index,)
    if not any(_is_integer_index(item) for item in items):
        if base is None:
            out[key] = values  # an assignment keeps the sign of a zero gradient
        else:
            out[key] += values
        return out
    size = 1
    for n in shape:
        size *= n
    # The flat position of every element ``zeros(shape)[index]`` selects, so the
    # accumulation is a one-dimensional scatter whatever the index mixes.
    selected = xp.reshape(xp.arange(size), shape)[key]
    positions = xp.reshape(selected, (-1,))
    update = xp.reshape(xp.broadcast_to(values, tuple(selected.shape)), (-1,))
    _add_at(xp.reshape(out, (size,)), positions, update)
    return out


def scatter_add_flat(xp: ArrayNamespace, size: int, positions: Array, values: Array,
                     dtype: DTypeLike | None = None) -> Array:
    """``zeros(size)`` (``values``' dtype, or ``dtype``) with ``values`` added at the
    1-d integer ``positions`` (of ``values``' size), in order: ``scatter_add`` for a
    caller that computes the flat positions itself, which saves the generic index's
    full-size position map.  With a narrower ``dtype`` than ``values``' each
    addition is made in ``values``' precision and rounded to ``dtype`` (Chainer's
    ``float32_array[i] += float64_value``; on a GPU, the values are rounded first).

    The result is ``add.at``'s: the additions to each element are made one after
    the other in the order of ``positions``, in ``values``' dtype.  On numpy a
    float64 scatter runs as ``bincount``, which makes the same additions in the
    same order (it is ``add.at``'s result, bit for bit) many times faster.
    """
    flat = xp.reshape(values, (-1,))
    if not is_cupy_array(values) and values.dtype == numpy.float64 and dtype in (None, numpy.float64):
        return cast(Array, numpy.bincount(positions, weights=flat, minlength=size))
    out = xp.zeros((size,), dtype=values.dtype if dtype is None else dtype)
    _add_at(out, positions, flat)
    return out


def scatter_add_rows(xp: ArrayNamespace, n_rows: int, rows: Array, values: Array) -> Array:
    """``zeros((n_rows,) + values.shape[1:])`` with row ``values[k]`` added to row
    ``rows[k]`` for every ``k``, in order (the gradient of gathering rows, as
    ``embed_id``'s): ``add.at``'s result, bit for bit.

    ``rows`` is 1-d; a negative id counts from the end, as numpy indexes.  On numpy the additions go by rank: every row
    receives its first value by one fancy-indexed addition, its second by
    another, and so on (within one rank no row repeats, so each is a plain
    vectorized pass); what is left after a few ranks (a very frequent row) goes to
    ``add.at``, whose order is kept.  Several times faster than ``add.at`` on the
    row counts of an embedding's gradient.  A batch of up to ``_PY_RANKING`` rows
    (a step of a recurrent model) is ranked in Python, which costs less than the
    dozen array calls of the sort; when its rows are distinct, the whole scatter is
    one addition.
    """
    out = xp.zeros((n_rows,) + tuple(values.shape[1:]), dtype=values.dtype)
    n = int(rows.shape[0])
    if n == 0:
        return out
    if is_cupy_array(values):
        _add_at(out, rows, values)
        return out
    if n <= _PY_RANKING:
        seen: dict[int, int] = {}
        ranks: list[int] = []
        for row in rows.tolist():
            row %= n_rows  # -1 is the last row, as numpy indexes (out of range still raises below)
            k = seen.get(row, 0)
            seen[row] = k + 1
            ranks.append(k)
        if len(seen) == n:
            out[rows] += values  # onto zeros, as add.at (-0.0 becomes 0.0)
            return out
        rank = numpy.array(ranks)
        positions = numpy.arange(n)  # rank[k] is position k's
    else:
        if int(rows.min()) < 0:  # -1 is the last row, as numpy indexes: rank it there
            rows = numpy.where(rows < 0, rows + n_rows, rows)
        positions = numpy.argsort(rows, kind="stable")  # rank[k] is position positions[k]'s
        ranked = rows[positions]
        starts = numpy.empty(n, dtype=bool)
        starts[0] = True
        numpy.not_equal(ranked[1:], ranked[:-1], out=starts[1:])
        first = numpy.flatnonzero(starts)
        rank = numpy.arange(n) - first[numpy.cumsum(starts) - 1]
    for r in range(min(int(rank.max()) + 1, _RANKS)):
        picked = positions[rank == r]
        out[rows[picked]] += values[picked]  # onto zeros at rank 0, as add.at (-0.0 becomes 0.0)
    rest = rank >= _RANKS
    if rest.any():
        left = numpy.sort(positions[rest])  # in the original order, as add.at adds
        numpy.add.at(out, rows[left], values[left])
    return out


_RANKS = 8
"""How many ranks ``scatter_add_rows`` adds by fancy indexing before ``add.at``."""

_PY_RANKING = 256
"""Up to how many rows ``scatter_add_rows`` ranks them in Python (above, by sorting)."""


def _add_at(flat: Array, positions: Array, update: Array) -> None:
    """``flat[positions] += update`` with repeated positions accumulating, in place."""
    if is_cupy_array(flat):
        cp = cast(Any, cupy_module())
        # CUDA's atomicAdd has no float16 overload everywhere: accumulate those in float32.
        half = flat.dtype == numpy.float16
        target = flat.astype(numpy.float32) if half else flat
        source = update.astype(target.dtype, copy=False)
        add_at = getattr(cp.add, "at", None)  # CuPy >= 13; cupyx.scatter_add before
        if add_at is not None:
            add_at(target, positions, source)
        else:
            importlib.import_module("cupyx").scatter_add(target, positions, source)
        if half:
            flat[...] = target
    else:
        numpy.add.at(flat, positions, update)
