"""Reused scratch arrays for the large temporaries and results of the CNN ops and
of deferred gradient sums (numpy only).

A fresh numpy array of tens of megabytes is new memory from the operating system
(glibc maps anything above 32 MiB afresh), and every page of it faults and is
zeroed by the kernel on first touch: for a CNN's im2col columns that costs more
than the copy that fills them.  Smaller ones fault too: glibc hands the top of its
heap back to the system once enough of it is free, so a step that allocates and
frees a few arrays of a megabyte asks for the same pages again and again (an LSTM
language model's step, whose deferred weight gradients stack 35 steps' factors:
1763 page faults and 2.5 ms of system time a step, none with the pool).
``empty``/``zeros`` hand out an array from a small pool instead, one that nothing
else references any more (its reference count says so: a view, a graph node or a
parameter's gradient that still holds it keeps it out of the pool), so reuse is
safe by construction: a buffer still in use is never handed out twice.  Only
arrays of at least ``MIN_BYTES`` are pooled, at most ``PER_SHAPE`` per shape and
dtype (6: a batch-normalized CNN block keeps five arrays of one shape alive at
once; the benchmark's pool holds 100-160 MiB between steps).  CuPy has its own
memory pool: there these are plain allocations.

``empty_like`` is ``empty`` laid out as another array (a channels-last view gets a
channels-last array), and ``elementwise`` runs an ``xp`` ufunc into one: the
large results of elementwise rules (ReLU, max pooling) come from the pool too, so
a training step stops handing the operating system back memory it asks for again
(measured on the CNN benchmark: 7900 page faults and 17 ms of system time a step
before, none after).

``batch_chunk`` says how many batch items a loop should take at a time so that its
temporaries stay in the CPU's cache (on numpy; the whole batch on CuPy),
``matmul_into`` and ``ufunc_into`` write a product or an elementwise result into a
caller's (possibly strided) array, and
``strided_view`` gives numpy's read-only view of an array under other strides (the
sliding windows an im2col copies out in one call).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy

from fchain.types import Array, ArrayNamespace, DTypeLike, Shape

__all__ = ["CACHE_BYTES", "MAX_POOLED_BYTES", "MIN_BYTES", "PER_SHAPE", "batch_chunk", "clear", "concatenate",
           "elementwise", "empty", "empty_like", "matmul", "matmul_into", "pooled_bytes", "strided_view", "ufunc_into",
           "zeros"]

MIN_BYTES = 1 << 17
"""128 KiB: glibc's default threshold for serving an allocation by a fresh mapping,
and the order of its heap's trim threshold; below it arrays come and go without
faults."""
PER_SHAPE = 6
# What a chunked loop's temporaries may take: about half a core's L2 cache on the
# machines measured (2 MiB L2 per core), leaving room for the GEMM's packed panels.
CACHE_BYTES = 5 << 18

MAX_POOLED_BYTES = 1 << 30
"""What the pool may hold (1 GiB).  Past it, the free buffers of the shapes used
least recently are dropped to make room, and a buffer that still does not fit is
handed out unpooled: a program whose shapes keep changing (images of every size,
say) cannot make the pool grow without bound."""

# Recency order: ``_take`` moves the shape it serves to the end.
_POOL: dict[tuple[Shape, str], list[Array]] = {}
_POOLED_BYTES = [0]
_LOCK = threading.Lock()
_getrefcount = sys.getrefcount
# References to a free pooled buffer while ``_take`` or ``_make_room`` looks at it:
# the pool's list, the loop variable and getrefcount's own argument.
_FREE_REFS = 3


def _take(shape: Shape, dtype: numpy.dtype[Any]) -> Array:
    key = (shape, dtype.str)
    with _LOCK:
        bufs = _POOL.pop(key, None)
        if bufs is None:
            bufs = []
        _POOL[key] = bufs
        for buf in bufs:
            if _getrefcount(buf) == _FREE_REFS:
                return buf
        buf = numpy.empty(shape, dtype)
        if len(bufs) < PER_SHAPE:
            nbytes = int(buf.nbytes)
            if _POOLED_BYTES[0] + nbytes > MAX_POOLED_BYTES:
                _make_room(nbytes, key)
            if _POOLED_BYTES[0] + nbytes <= MAX_POOLED_BYTES:
                bufs.append(buf)
                _POOLED_BYTES[0] += nbytes
        return buf


def _make_room(nbytes: int, serving: tuple[Shape, str]) -> None:
    """Drop free buffers, least recently used shapes first, until ``nbytes`` more
    fit (the shape being served keeps its entry)."""
    for key, bufs in list(_POOL.items()):
        kept = []
        for buf in bufs:
            if _POOLED_BYTES[0] + nbytes > MAX_POOLED_BYTES and _getrefcount(buf) == _FREE_REFS:
                _POOLED_BYTES[0] -= int(buf.nbytes)
            else:
                kept.append(buf)
        bufs[:] = kept
        if not kept and key != serving:
            del _POOL[key]
        if _POOLED_BYTES[0] + nbytes <= MAX_POOLED_BYTES:
            return


def pooled_bytes() -> int:
    """The bytes the pool holds (free buffers and those in use)."""
    return _POOLED_BYTES[0]


def empty(xp: ArrayNamespace, shape: Shape, dtype: DTypeLike) -> Array:
    """An uninitialized array (the caller writes every element)."""
    dt = numpy.dtype(dtype)
    if xp is not numpy or _nbytes(shape, dt) < MIN_BYTES:
        return xp.zeros(shape, dtype=dt)
    return _take(shape, dt)


def empty_like(xp: ArrayNamespace, a: Array) -> Array:
    """An uninitialized array of ``a``'s shape and dtype whose axes lie in memory in
    the order ``a``'s do (a transposed view of a pooled C-contiguous buffer)."""
    if xp is not numpy or a.nbytes < MIN_BYTES:
        return xp.empty_like(a)
    order = sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))  # stable: ties keep their order
    buf = _take(tuple(a.shape[i] for i in order), a.dtype)
    inverse = [0] * a.ndim
    for position, axis in enumerate(order):
        inverse[axis] = position
    return buf.transpose(inverse)


def ufunc_into(xp: ArrayNamespace, fn: Callable[..., Array], *args: Array | float, out: Array) -> Array:
    """``fn(*args)`` for a ufunc ``fn`` of ``xp``, written into ``out`` (numpy's ``out=``;
    elsewhere computed, then copied).  Returns ``out``."""
    if xp is numpy:
        return fn(*args, out=out)
    out[...] = fn(*args)
    return out


def elementwise(xp: ArrayNamespace, fn: Callable[..., Array], *args: Array | float, like: Array) -> Array:
    """``fn(*args)`` for a ufunc ``fn`` of ``xp`` whose result has ``like``'s shape and
    dtype: on numpy written into ``empty_like(like)``."""
    if xp is not numpy or like.nbytes < MIN_BYTES:
        return fn(*args)
    return fn(*args, out=empty_like(xp, like))


def zeros(xp: ArrayNamespace, shape: Shape, dtype: DTypeLike) -> Array:
    """A zero-filled array."""
    dt = numpy.dtype(dtype)
    if xp is not numpy or _nbytes(shape, dt) < MIN_BYTES:
        return xp.zeros(shape, dtype=dt)
    buf = _take(shape, dt)
    buf.fill(0)
    return buf


def concatenate(xp: ArrayNamespace, arrays: tuple[Array, ...]) -> Array:
    """``xp.concatenate(arrays, axis=0)``, written on numpy into the first rows of a
    pooled array whose row count is a power of two: stacks of every length (the
    steps of variable-length sequences) then share a few buffers."""
    first = arrays[0]
    rows = 0
    for a in arrays:
        rows += int(a.shape[0])
    rest = tuple(first.shape[1:])
    if xp is not numpy or _nbytes((rows,) + rest, first.dtype) < MIN_BYTES:
        return xp.concatenate(arrays, axis=0)
    capacity = 1 << (rows - 1).bit_length()
    return numpy.concatenate(arrays, axis=0, out=_take((capacity,) + rest, first.dtype)[:rows])


def matmul(xp: ArrayNamespace, a: Array, b: Array) -> Array:
    """``a @ b`` written into a pooled array (numpy's broadcasting matmul)."""
    if xp is not numpy:
        return a @ b
    shape = tuple(numpy.broadcast_shapes(a.shape[:-2], b.shape[:-2])) + (a.shape[-2], b.shape[-1])
    dt = numpy.result_type(a.dtype, b.dtype)
    if _nbytes(shape, dt) < MIN_BYTES:
        return a @ b
    return numpy.matmul(a, b, out=_take(shape, dt))


def matmul_into(xp: ArrayNamespace, a: Array, b: Array, out: Array) -> Array:
    """``a @ b`` written into ``out`` (numpy's broadcasting matmul; ``out`` may be a
    strided view, as long as each of its matrices has a unit inner stride, which
    BLAS takes without a copy).  Returns ``out``."""
    if xp is numpy:
        return numpy.matmul(a, b, out=out)
    out[...] = xp.matmul(a, b)
    return out


def strided_view(xp: ArrayNamespace, a: Array, shape: Shape, strides: Shape) -> Array | None:
    """A read-only view of ``a``'s memory with ``shape`` and byte ``strides`` (the
    caller keeps every element inside ``a``), or None off numpy (the caller then
    slices instead)."""
    if xp is not numpy:
        return None
    view: Array = numpy.lib.stride_tricks.as_strided(a, shape=shape, strides=strides, writeable=False)
    return view


def batch_chunk(xp: ArrayNamespace, items: int, item_bytes: int) -> int:
    """How many of ``items`` batch items a loop takes at a time when each needs
    ``item_bytes`` of temporaries: as many as fit ``CACHE_BYTES`` (at least one) on
    numpy, where a pass over memory that stays in cache costs a fraction of one that
    does not; all of them elsewhere (a GPU wants few, large kernels)."""
    if xp is not numpy:
        return max(items, 1)
    return max(1, min(items, CACHE_BYTES // max(item_bytes, 1)))


def clear() -> None:
    """Drop every pooled array (their memory goes back once nothing uses them)."""
    with _LOCK:
        _POOL.clear()
        _POOLED_BYTES[0] = 0


def _nbytes(shape: Shape, dtype: numpy.dtype[Any]) -> int:
    n = dtype.itemsize
    for s in shape:
        n *= s
    return n
