"""Batch converters: ``concat_examples``, ``to_device``, ``Converter`` and the
``converter`` decorator (Chainer's ``chainer.dataset.convert``).

An iterator yields a list of examples; a converter turns it into the arrays a model
takes, on the device it runs on.  Device arguments accept what Chainer accepts:
``None`` (leave arrays where they are), a negative int (CPU), a non-negative int (that
GPU), ``'@numpy'``, ``'@cupy:N'`` or a ``Device``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Concatenate, Generic, ParamSpec, TypeAlias, TypeVar, cast, overload

import numpy

from fchain.core import backend
from fchain.dataset._batch import ArrayColumns, ColumnBatch
from fchain.graph.device import Device, get_device
from fchain.types import Array

__all__ = [
    "Converter",
    "DeviceLike",
    "Padding",
    "concat_examples",
    "converter",
    "to_device",
]

DeviceLike: TypeAlias = Device | str | int | None
"""A device specifier as converters accept it (``None``: leave arrays in place)."""

Padding: TypeAlias = (
    float | None | tuple[float | None, ...] | Mapping[str, float | None]
)
"""``concat_examples`` padding: one value for every array, or one per tuple position
or per dict key."""

B_contra = TypeVar("B_contra", contravariant=True)
R_co = TypeVar("R_co", covariant=True)
B = TypeVar("B")
R = TypeVar("R")
T = TypeVar("T")
K = TypeVar("K")
P = ParamSpec("P")


def _as_device(device: DeviceLike) -> Device | None:
    if device is None or isinstance(device, Device):
        return device
    return get_device(device)


def to_device(device: DeviceLike, x: T) -> T:
    """Send ``x`` to ``device``: an array, or a tuple, list or dict of arrays (sent
    element by element).  ``device=None`` returns ``x`` unchanged; so do values that
    are not arrays (``None``, Python scalars)."""
    dev = _as_device(device)
    if dev is None:
        return x
    return cast(T, _send(dev, x))


def _send(dev: Device, x: object) -> object:
    if isinstance(x, numpy.ndarray) or backend.is_cupy_array(x):
        return dev.send(cast(Array, x))
    if isinstance(x, tuple):
        return tuple(_send(dev, v) for v in x)
    if isinstance(x, list):
        return [_send(dev, v) for v in x]
    if isinstance(x, dict):
        return {k: _send(dev, v) for k, v in x.items()}
    return x


class Converter(Generic[B_contra, R_co]):
    """Base class of converters: ``converter(batch, device)`` returns the converted
    batch.  ``device`` arrives as a ``Device`` (or ``None``) when the converter was
    made with the ``converter()`` decorator."""

    def __call__(self, batch: B_contra, device: DeviceLike = None) -> R_co:
        raise NotImplementedError


class _FunctionConverter(Converter[B, R], Generic[B, P, R]):
    """A converter function wrapped by ``converter()``: legacy device arguments
    (ints, strings) are turned into a ``Device`` before the function sees them;
    extra arguments (e.g. ``padding=``) pass through."""

    def __init__(self, func: Callable[Concatenate[B, Device | None, P], R]) -> None:
        self._func = func
        self.__wrapped__ = func
        self.__doc__ = func.__doc__
        self.__name__ = getattr(func, "__name__", type(self).__name__)

    def __call__(
        self, batch: B, device: DeviceLike = None, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        return self._func(batch, _as_device(device), *args, **kwargs)

    def __repr__(self) -> str:
        return f"<converter {self.__name__}>"


def converter() -> Callable[
    [Callable[Concatenate[B, Device | None, P], R]], _FunctionConverter[B, P, R]
]:
    """Decorator that makes a ``Converter`` out of ``func(batch, device, ...)``.

    ::

        @fchain.dataset.converter()
        def my_converter(batch, device):
            return device.send(numpy.stack(batch)) if device else numpy.stack(batch)

    The function receives ``device`` as a ``Device`` (``None`` when the caller gave
    ``None``), whatever form the caller used (``-1``, ``0``, ``'@cupy:0'``).
    """

    def wrap(func: Callable[Concatenate[B, Device | None, P], R]) -> _FunctionConverter[B, P, R]:
        if not callable(func):
            raise TypeError(f"converter: expected a function, got {type(func).__name__}")
        return _FunctionConverter(func)

    return wrap


# --------------------------------------------------------------------------- concat


def _padding_for(padding: Padding, key: object, where: str) -> float | None:
    if isinstance(padding, tuple):
        if not isinstance(key, int) or key >= len(padding):
            raise ValueError(
                f"concat_examples: padding is a tuple of {len(padding)} values but the "
                f"examples have a position {key!r}"
            )
        return padding[key]
    if isinstance(padding, Mapping):
        if key not in padding:
            raise KeyError(f"concat_examples: padding has no value for key {key!r} ({where})")
        return padding[cast(str, key)]
    return padding


def _concat_arrays(arrays: Sequence[object], padding: float | None, where: str) -> Array:
    where = f" {where}" if where else ""
    first = arrays[0]
    if not (isinstance(first, numpy.ndarray) or backend.is_cupy_array(first)):
        # Python scalars, lists or numpy scalars: one host array of the whole column.
        if padding is None:
            try:
                return numpy.asarray(arrays)
            except ValueError as e:
                raise ValueError(
                    f"concat_examples: the examples{where} cannot be stacked: {e}; "
                    "give padding= to pad them to a common shape"
                ) from None
        arrays = [numpy.asarray(a) for a in arrays]
    arrs = cast(Sequence[Array], arrays)
    xp = backend.namespace_of(arrs[0])
    ndim = arrs[0].ndim
    for i, a in enumerate(arrs):
        if a.ndim != ndim:
            raise ValueError(
                f"concat_examples: example 0{where} has {ndim} dimensions but example {i} "
                f"has {a.ndim} (shape {tuple(a.shape)})"
            )
    if padding is None:
        shape = tuple(arrs[0].shape)
        for i, a in enumerate(arrs):
            if tuple(a.shape) != shape:
                raise ValueError(
                    f"concat_examples: example 0{where} has shape {shape} but example {i} "
                    f"has shape {tuple(a.shape)}; give padding= to pad them to a common shape"
                )
        return cast(Array, cast(Any, xp).stack(arrs))
    full = [max(int(a.shape[d]) for a in arrs) for d in range(ndim)]
    out = cast(Array, cast(Any, xp).full((len(arrs), *full), padding, dtype=arrs[0].dtype))
    for i, a in enumerate(arrs):
        region: tuple[int | slice, ...] = (i, *(slice(0, int(s)) for s in a.shape))
        out[region] = a
    return out


class _ConcatExamples(Converter[Sequence[object], "Array | tuple[Array, ...] | dict[Any, Array]"]):
    """``concat_examples(batch, device=None, padding=None)``.

    Stacks a list of examples along a new first axis.  Examples that are tuples give
    a tuple of arrays (one per position); dicts give a dict (one per key); anything
    else gives one array.  With ``padding``, arrays of different shapes (same number
    of dimensions) are placed in an array of the elementwise-largest shape filled with
    ``padding``; it may be one value, a tuple (one per position) or a dict (one per
    key).  ``device`` sends the results there (see the module docstring).
    """

    @overload
    def __call__(
        self, batch: Sequence[tuple[object]], device: DeviceLike = None, padding: Padding = None
    ) -> tuple[Array]: ...

    @overload
    def __call__(
        self,
        batch: Sequence[tuple[object, object]],
        device: DeviceLike = None,
        padding: Padding = None,
    ) -> tuple[Array, Array]: ...

    @overload
    def __call__(
        self,
        batch: Sequence[tuple[object, object, object]],
        device: DeviceLike = None,
        padding: Padding = None,
    ) -> tuple[Array, Array, Array]: ...

    @overload
    def __call__(
        self,
        batch: Sequence[tuple[object, ...]],
        device: DeviceLike = None,
        padding: Padding = None,
    ) -> tuple[Array, ...]: ...

    @overload
    def __call__(
        self, batch: Sequence[Mapping[K, object]], device: DeviceLike = None, padding: Padding = None
    ) -> dict[K, Array]: ...

    @overload
    def __call__(
        self,
        batch: Sequence[Array | float | numpy.generic],
        device: DeviceLike = None,
        padding: Padding = None,
    ) -> Array: ...

    @overload
    def __call__(
        self, batch: Sequence[object], device: DeviceLike = None, padding: Padding = None
    ) -> Array | tuple[Array, ...] | dict[Any, Array]: ...

    def __call__(
        self, batch: Sequence[object], device: DeviceLike = None, padding: Padding = None
    ) -> Array | tuple[Array, ...] | dict[Any, Array]:
        if len(batch) == 0:
            raise ValueError("concat_examples: batch is empty")
        dev = _as_device(device)
        if type(batch) is ColumnBatch:
            columns = batch.gather()
            if columns is not None:
                return _from_columns(columns, dev, padding)
        first = batch[0]
        if isinstance(first, tuple):
            n = len(first)
            for j, ex in enumerate(batch):
                if not isinstance(ex, tuple) or len(ex) != n:
                    raise ValueError(
                        f"concat_examples: example 0 is a tuple of {n} but example {j} is "
                        f"{_describe(ex)}"
                    )
            tuples = cast(Sequence[tuple[object, ...]], batch)
            return tuple(
                _move(dev, _concat_arrays(
                    [ex[i] for ex in tuples], _padding_for(padding, i, f"at position {i}"),
                    f"at position {i}",
                ))
                for i in range(n)
            )
        if isinstance(first, Mapping):
            keys = list(first.keys())
            dicts = cast(Sequence[Mapping[object, object]], batch)
            for j, ex in enumerate(dicts):
                if not isinstance(ex, Mapping) or set(ex.keys()) != set(keys):
                    raise ValueError(
                        f"concat_examples: example 0 has keys {sorted(map(str, keys))} but "
                        f"example {j} is {_describe(ex)}"
                    )
            return {
                k: _move(dev, _concat_arrays(
                    [ex[k] for ex in dicts], _padding_for(padding, k, f"at key {k!r}"),
                    f"at key {k!r}",
                ))
                for k in keys
            }
        if isinstance(padding, (tuple, Mapping)):
            raise ValueError(
                "concat_examples: padding is a tuple or dict but the examples are single "
                "arrays; give one padding value"
            )
        return _move(dev, _concat_arrays(batch, padding, ""))

    def __repr__(self) -> str:
        return "<converter concat_examples>"


def _from_columns(
    columns: ArrayColumns, dev: Device | None, padding: Padding
) -> Array | tuple[Array, ...] | dict[Any, Array]:
    """``concat_examples`` of a lazy batch of an array-backed dataset: the gathered
    columns are what stacking its examples gives (same values, dtype and shape), and
    padding a column whose rows all have one shape only fills that same array."""
    arrays = cast(tuple[Array, ...], columns.arrays)
    if padding is None and dev is None and columns.kind == "tuple":
        return arrays  # the gathered columns are new arrays already: nothing to pad or move
    if columns.kind == "tuple":
        return tuple(
            _move(dev, _pad(a, _padding_for(padding, i, f"at position {i}")))
            for i, a in enumerate(arrays)
        )
    if columns.kind == "dict":
        return {
            k: _move(dev, _pad(a, _padding_for(padding, k, f"at key {k!r}")))
            for k, a in zip(columns.keys, arrays)
        }
    if isinstance(padding, (tuple, Mapping)):
        raise ValueError(
            "concat_examples: padding is a tuple or dict but the examples are single "
            "arrays; give one padding value"
        )
    return _move(dev, _pad(arrays[0], padding))


def _pad(a: Array, padding: float | None) -> Array:
    if padding is None:
        return a
    # As the general path: an array of the padding value, then the examples in it.
    out = cast(Array, numpy.full(tuple(a.shape), padding, dtype=a.dtype))
    out[...] = a
    return out


def _describe(ex: object) -> str:
    if isinstance(ex, tuple):
        return f"a tuple of {len(ex)}"
    if isinstance(ex, Mapping):
        return f"a dict with keys {sorted(map(str, ex.keys()))}"
    return f"a {type(ex).__name__}"


def _move(dev: Device | None, a: Array) -> Array:
    return a if dev is None else dev.send(a)


concat_examples: _ConcatExamples = _ConcatExamples()
"""Stack a list of examples into arrays; see ``_ConcatExamples``."""
