"""A model's gradients (or parameters) in one contiguous buffer per dtype, so a
step costs one collective call, not one per parameter.

``pack_grads`` copies each gradient into its slice of a buffer kept between steps
(scaled on the way, which folds the mean's division into the copy); after the
reduction ``unpack_grads`` makes each parameter's ``grad`` a view of its slice when
the dtypes agree (no copy back; the next step's backward pass makes fresh gradient
arrays, so the views are never written twice).  A float16 gradient travels in
float32 and is cast back.  Parameters are taken in the model's ``namedparams``
order, which is the same on every rank that built the same model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy

from fchain.core import backend
from fchain.distributed.communicators._arrays import reduction_dtype
from fchain.graph.variable import Parameter
from fchain.types import Array

__all__ = ["Group", "Packer"]


@dataclass(slots=True)
class Group:
    """The parameters that share one buffer: ``members`` are ``(param, offset,
    size)``; ``buffer`` is 1-D, exactly their total size."""

    buffer: Array
    on_gpu: bool
    members: list[tuple[Parameter, int, int]] = field(default_factory=list)


class Packer:
    """Buffers kept between steps, one per (device kind, dtype)."""

    def __init__(self) -> None:
        self._buffers: dict[tuple[bool, str], Array] = {}

    def _buffer(self, on_gpu: bool, dtype: numpy.dtype[Any], size: int) -> Array:
        key = (on_gpu, dtype.str)
        buf = self._buffers.get(key)
        if buf is None or buf.size != size:
            if on_gpu:
                cp = backend.cupy_module()
                assert cp is not None
                buf = cp.empty(size, dtype=dtype)
            else:
                buf = numpy.empty(size, dtype=dtype)
            self._buffers[key] = buf
        return buf

    def _layout(self, entries: Iterable[tuple[Parameter, Array]],
                dtype_of: Callable[[numpy.dtype[Any]], numpy.dtype[Any]]) -> list[Group]:
        sizes: dict[tuple[bool, str], list[tuple[Parameter, int, int]]] = {}
        totals: dict[tuple[bool, str], int] = {}
        dtypes: dict[tuple[bool, str], numpy.dtype[Any]] = {}
        for param, data in entries:
            on_gpu = backend.is_cupy_array(data)
            dt = dtype_of(data.dtype)
            key = (on_gpu, dt.str)
            offset = totals.get(key, 0)
            sizes.setdefault(key, []).append((param, offset, int(data.size)))
            totals[key] = offset + int(data.size)
            dtypes[key] = dt
        return [Group(self._buffer(key[0], dtypes[key], totals[key]), key[0], members)
                for key, members in sizes.items()]

    # -------------------------------------------------------------- gradients
    def pack_grads(self, params: Iterable[Parameter], zero_fill: bool, scale: float,
                   dtype: numpy.dtype[Any] | None = None) -> list[Group]:
        """Groups holding ``scale`` times each gradient, floating gradients in
        ``dtype`` when given.  Parameters without data are skipped; those without a
        gradient get zeros with ``zero_fill``, else are skipped (then every rank
        must skip the same ones)."""
        entries = []
        for param in params:
            data = param._data
            if data is None or (param._grad_var is None and not zero_fill):
                continue
            entries.append((param, data))
        def dtype_of(dt: numpy.dtype[Any]) -> numpy.dtype[Any]:
            return dtype if dtype is not None and dt.kind == "f" else reduction_dtype(dt)

        groups = self._layout(entries, dtype_of)
        for group in groups:
            buf = group.buffer
            xp = _module_of(buf)
            for param, offset, size in group.members:
                segment = buf[offset:offset + size]
                grad = param.grad
                if grad is None:
                    segment.fill(0)
                    continue
                view = segment.reshape(grad.shape)
                if scale == 1.0:
                    xp.copyto(view, grad)
                else:
                    xp.multiply(grad, scale, out=view)
        return groups

    @staticmethod
    def unpack_grads(groups: Iterable[Group]) -> None:
        """Give each member its slice as its gradient (a view, or a cast copy)."""
        for group in groups:
            buf = group.buffer
            for param, offset, size in group.members:
                data = param._data
                assert data is not None
                segment = buf[offset:offset + size].reshape(data.shape)
                param.grad = segment if segment.dtype == data.dtype else segment.astype(data.dtype)

    # ------------------------------------------------------------- parameters
    def pack_data(self, params: Iterable[Parameter]) -> list[Group]:
        """Groups of raw bytes holding every initialized parameter's array."""
        entries = [(p, _bytes_view(p._data)) for p in params if p._data is not None]
        groups = self._layout(entries, lambda dt: numpy.dtype(numpy.uint8))
        raw = {id(p): b for p, b in entries}
        for group in groups:
            buf = group.buffer
            xp = _module_of(buf)
            for param, offset, size in group.members:
                xp.copyto(buf[offset:offset + size], raw[id(param)])
        return groups

    @staticmethod
    def unpack_data(groups: Iterable[Group]) -> None:
        """Copy each member's bytes back into its array, in place."""
        for group in groups:
            buf = group.buffer
            xp = _module_of(buf)
            for param, offset, size in group.members:
                data = param._data
                assert data is not None
                xp.copyto(data, buf[offset:offset + size].view(data.dtype).reshape(data.shape))


def _module_of(a: Array) -> ModuleType:
    """numpy, or CuPy for a CuPy array (as a module: the calls here are not in
    ``ArrayNamespace``)."""
    if backend.is_cupy_array(a):
        cp = backend.cupy_module()
        assert cp is not None
        return cp
    return numpy


def _bytes_view(data: Array) -> Array:
    """``data``'s bytes as a flat uint8 array (a copy when not contiguous)."""
    xp = _module_of(data)
    contiguous: Array = xp.ascontiguousarray(data)
    return contiguous.reshape(-1).view(numpy.uint8)
