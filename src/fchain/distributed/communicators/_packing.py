"""A model's gradients (or parameters) in one contiguous buffer per dtype, so a
step costs one collective call, not one per parameter.

``pack_grads`` copies each gradient into its slice of a buffer kept between steps
(scaled on the way, which folds the mean's division into the copy); after the
reduction ``unpack_grads`` makes each parameter's gradient a view of its slice when
the dtypes agree (no copy back; the next step's backward pass makes fresh gradient
arrays, so a view is not written while in use).  A float16 gradient travels in
float32 and is cast back.  Parameters are taken in the model's ``namedparams``
order, which is the same on every rank that built the same model.

The layout (which parameter goes where, the views, the Variables wrapping them) is
planned once and reused while the parameters' shapes, dtypes and devices stay the
same: a step then costs the copies and a few attribute writes per parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy

from fchain.core import backend
from fchain.distributed.communicators._arrays import reduction_dtype
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["Group", "Member", "Packer"]


@dataclass(slots=True)
class Member:
    """One parameter's place in a buffer: ``view`` is its slice, shaped like the
    parameter; ``holder`` wraps ``view`` as a gradient Variable when the dtypes
    agree (installed as the gradient without a copy)."""

    param: Parameter
    view: Array
    holder: Variable | None


@dataclass(slots=True)
class Group:
    """The parameters that share one 1-D ``buffer`` (one dtype, one device)."""

    buffer: Array
    on_gpu: bool
    members: list[Member]


def _module_of(a: Array) -> ModuleType:
    """numpy, or CuPy for a CuPy array (as a module: the calls here are not in
    ``ArrayNamespace``)."""
    if backend.is_cupy_array(a):
        cp = backend.cupy_module()
        assert cp is not None
        return cp
    return numpy


def _plan(arrays: Sequence[tuple[Parameter, Array]],
          dtype_of: Callable[[numpy.dtype[Any]], numpy.dtype[Any]], as_bytes: bool) -> list[Group]:
    """Groups (one per device kind and dtype, in order of first appearance) with
    fresh buffers and each member's view."""
    order: list[tuple[bool, str]] = []
    entries: dict[tuple[bool, str], list[tuple[Parameter, Array]]] = {}
    dtypes: dict[tuple[bool, str], numpy.dtype[Any]] = {}
    for param, data in arrays:
        dt = numpy.dtype(numpy.uint8) if as_bytes else dtype_of(data.dtype)
        key = (backend.is_cupy_array(data), dt.str)
        if key not in entries:
            order.append(key)
            entries[key] = []
            dtypes[key] = dt
        entries[key].append((param, data))
    groups = []
    for key in order:
        members_data = entries[key]
        sizes = [int(d.nbytes if as_bytes else d.size) for _, d in members_data]
        xp = _module_of(members_data[0][1])
        buffer: Array = xp.empty(sum(sizes), dtype=dtypes[key])
        members, offset = [], 0
        for (param, data), size in zip(members_data, sizes, strict=True):
            flat = buffer[offset:offset + size]
            view = flat if as_bytes else flat.reshape(data.shape)
            holder = (Variable(view, requires_grad=False)
                      if not as_bytes and view.dtype == data.dtype else None)
            members.append(Member(param, view, holder))
            offset += size
        groups.append(Group(buffer, key[0], members))
    return groups


class Packer:
    """Packs and unpacks one model's gradients, keeping its plan between steps."""

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._groups: list[Group] = []

    # -------------------------------------------------------------- gradients
    def pack_grads(self, params: Iterable[Parameter], zero_fill: bool, scale: float,
                   dtype: numpy.dtype[Any] | None = None) -> list[Group]:
        """Groups holding ``scale`` times each gradient, floating gradients in
        ``dtype`` when given.  Parameters without data are skipped; those without a
        gradient get zeros with ``zero_fill``, else are skipped (then every rank
        must skip the same ones)."""
        chosen = [(p, p._data) for p in params
                  if p._data is not None and (zero_fill or p._grad_var is not None)]
        key = (dtype, *((type(d), d.shape, d.dtype) for _, d in chosen))
        if key != self._key:
            def dtype_of(dt: numpy.dtype[Any]) -> numpy.dtype[Any]:
                return dtype if dtype is not None and dt.kind == "f" else reduction_dtype(dt)

            self._groups = _plan([(p, d) for p, d in chosen if d is not None], dtype_of, False)
            self._key = key
        for group in self._groups:
            xp = numpy if not group.on_gpu else _module_of(group.buffer)
            for member in group.members:
                held = member.param._grad_var
                view = member.view
                if held is None:
                    view.fill(0)
                elif scale == 1.0:
                    if held is not member.holder:
                        xp.copyto(view, held._data)
                else:
                    xp.multiply(held._data, scale, out=view)
        return self._groups

    @staticmethod
    def unpack_grads(groups: Iterable[Group]) -> None:
        """Give each member its slice as its gradient (the view itself, or a copy
        cast to the parameter's dtype)."""
        for group in groups:
            for member in group.members:
                holder = member.holder
                if holder is not None:
                    member.param._grad_var = holder
                else:
                    data = member.param._data
                    assert data is not None
                    member.param.grad = member.view.astype(data.dtype)

    # ------------------------------------------------------------- parameters
    @staticmethod
    def pack_data(params: Iterable[Parameter]) -> list[Group]:
        """Groups of raw bytes holding every initialized parameter's array (planned
        afresh: broadcasting parameters is rare)."""
        chosen = [(p, p._data) for p in params if p._data is not None]
        groups = _plan([(p, d) for p, d in chosen if d is not None], reduction_dtype, True)
        for group in groups:
            xp = _module_of(group.buffer)
            for member in group.members:
                data = member.param._data
                assert data is not None
                xp.copyto(member.view, xp.ascontiguousarray(data).reshape(-1).view(numpy.uint8))
        return groups

    @staticmethod
    def unpack_data(groups: Iterable[Group]) -> None:
        """Copy each member's bytes back into its array, in place."""
        for group in groups:
            xp = _module_of(group.buffer)
            for member in group.members:
                data = member.param._data
                assert data is not None
                xp.copyto(data, member.view.view(data.dtype).reshape(data.shape))
