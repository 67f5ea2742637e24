"""Arrays between ranks: ChainerMN's ``send``, ``recv``, ``bcast``, ``gather``,
``allgather``, ``scatter``, ``alltoall`` and ``allreduce`` on MPI.

Each message is a small header (shapes, dtypes, whether the sender's arrays were on
a GPU) followed by the arrays' bytes in one buffer, so any dtype travels unchanged
(float16 and bool included).  Only ``allreduce`` computes on the data: float16 is
summed in float32, as MPI has no half type.  CuPy arrays are staged through host
memory (fchain does not assume a CUDA-aware MPI); what arrives from a GPU sender is
put on the receiver's current GPU, as in ChainerMN.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from mpi4py import MPI

from fchain.core import backend
from fchain.distributed.communicators import _objects
from fchain.distributed.communicators._runtime import Runtime
from fchain.types import Array

__all__ = [
    "allgather",
    "allreduce",
    "alltoall",
    "as_host",
    "bcast",
    "from_host",
    "gather",
    "recv",
    "scatter",
    "send",
]

Bytes = numpy.ndarray[Any, numpy.dtype[numpy.uint8]]


@dataclass(frozen=True, slots=True)
class _Header:
    """What a receiver needs to rebuild the arrays of one message."""

    shapes: tuple[tuple[int, ...], ...]
    dtypes: tuple[str, ...]
    on_gpu: bool
    is_tuple: bool

    @property
    def nbytes(self) -> int:
        return sum(int(numpy.prod(s, dtype=numpy.int64)) * numpy.dtype(d).itemsize
                   for s, d in zip(self.shapes, self.dtypes, strict=True))


def as_host(x: Array) -> Array:
    """``x`` as a C-contiguous numpy array (a copy from the GPU for CuPy)."""
    if backend.is_cupy_array(x):
        cp = backend.cupy_module()
        assert cp is not None
        host: Array = cp.asnumpy(x)
        return host
    return numpy.ascontiguousarray(x)


def from_host(a: Array, on_gpu: bool) -> Array:
    """``a`` on the current GPU when ``on_gpu``, else ``a``."""
    if not on_gpu:
        return a
    cp = backend.cupy_module()
    if cp is None:
        raise RuntimeError("fchain.distributed: a GPU array arrived but CuPy is not installed here")
    moved: Array = cp.asarray(a)
    return moved


def _arrays(data: object, call: str) -> tuple[list[Array], bool]:
    """The arrays of ``data`` (one array, or a tuple/list of them) and whether it
    was a sequence."""
    if isinstance(data, numpy.ndarray) or backend.is_cupy_array(data):
        return [data], False  # type: ignore[list-item]  # an array, checked above
    if isinstance(data, (tuple, list)) and all(
            isinstance(a, numpy.ndarray) or backend.is_cupy_array(a) for a in data):
        return list(data), True
    raise TypeError(f"{call}: expected an array or a tuple/list of arrays, got {type(data).__name__}")


def _header(arrays: Sequence[Array], is_tuple: bool, call: str) -> _Header:
    gpu = [backend.is_cupy_array(a) for a in arrays]
    if any(gpu) and not all(gpu):
        raise ValueError(f"{call}: all arrays of one message must be numpy arrays or all CuPy arrays")
    return _Header(tuple(tuple(int(n) for n in a.shape) for a in arrays),
                   tuple(a.dtype.str for a in arrays), bool(gpu) and all(gpu), is_tuple)


def _pack(arrays: Sequence[Array]) -> Bytes:
    """The bytes of ``arrays``, one after the other (no copy for a single
    contiguous host array)."""
    hosts = [as_host(a) for a in arrays]
    if len(hosts) == 1:
        return hosts[0].reshape(-1).view(numpy.uint8)
    if not hosts:
        return numpy.empty(0, dtype=numpy.uint8)
    return numpy.concatenate([h.reshape(-1).view(numpy.uint8) for h in hosts])


def _unpack(buf: Bytes, header: _Header) -> list[Array]:
    out, offset = [], 0
    for shape, dtype in zip(header.shapes, header.dtypes, strict=True):
        dt = numpy.dtype(dtype)
        n = int(numpy.prod(shape, dtype=numpy.int64)) * dt.itemsize
        out.append(from_host(buf[offset:offset + n].view(dt).reshape(shape), header.on_gpu))
        offset += n
    return out


def _result(arrays: list[Array], header: _Header) -> Array | tuple[Array, ...]:
    return tuple(arrays) if header.is_tuple else arrays[0]


def _offsets(counts: Sequence[int]) -> list[int]:
    out, total = [], 0
    for n in counts:
        out.append(total)
        total += n
    return out


# ------------------------------------------------------------------ point to point
def send(rt: Runtime, data: object, dest: int, tag: int) -> None:
    """Send an array or a tuple of arrays to ``dest``; returns once ``dest`` has
    started receiving it."""
    arrays, is_tuple = _arrays(data, "send")
    header = _header(arrays, is_tuple, "send")
    head = numpy.frombuffer(pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL), dtype=numpy.uint8)
    body = _pack(arrays)
    rt.wait([rt.comm.Issend(head, dest=dest, tag=tag), rt.comm.Issend(body, dest=dest, tag=tag)])


def recv(rt: Runtime, source: int, tag: int) -> Array | tuple[Array, ...]:
    """What ``source`` sent with ``tag`` through ``send``."""
    status = MPI.Status()
    header = _objects.recv_obj(rt, source, tag, status)
    if not isinstance(header, _Header):
        raise TypeError(f"recv: the message from rank {status.Get_source()} with tag {tag} was "
                        f"not sent by send() (got {type(header).__name__}); match send_obj with "
                        "recv_obj and send with recv")
    buf = numpy.empty(header.nbytes, dtype=numpy.uint8)
    rt.wait([rt.comm.Irecv(buf, source=status.Get_source(), tag=status.Get_tag())])
    return _result(_unpack(buf, header), header)


# -------------------------------------------------------------------- collectives
def bcast(rt: Runtime, x: Array | None, root: int) -> Array:
    """``x`` of ``root`` on every rank (``root`` gets ``x`` itself back)."""
    if rt.rank == root:
        if x is None:
            raise TypeError("bcast: the root must pass an array, got None")
        arrays, is_tuple = _arrays(x, "bcast")
        if is_tuple:
            raise TypeError("bcast: a tuple cannot be broadcast; broadcast each array")
        header = _header(arrays, False, "bcast")
        _objects.bcast_obj(rt, header, root, _objects.DEFAULT_MAX_BUF_LEN)
        rt.wait([rt.comm.Ibcast(_pack(arrays), root=root)])
        return x
    header = _objects.bcast_obj(rt, None, root, _objects.DEFAULT_MAX_BUF_LEN)
    buf = numpy.empty(header.nbytes, dtype=numpy.uint8)
    rt.wait([rt.comm.Ibcast(buf, root=root)])
    return _unpack(buf, header)[0]


def _single(x: object, call: str) -> tuple[Array, _Header]:
    arrays, is_tuple = _arrays(x, call)
    if is_tuple:
        raise TypeError(f"{call}: expected one array, got a {type(x).__name__}")
    return arrays[0], _header(arrays, False, call)


def gather(rt: Runtime, x: Array, root: int) -> tuple[Array, ...] | None:
    """Every rank's ``x`` on ``root`` in rank order; ``None`` elsewhere."""
    array, header = _single(x, "gather")
    headers = _objects.gather_obj(rt, header, root)
    body = _pack([array])
    if headers is None:
        rt.wait([rt.comm.Igatherv(body, None, root=root)])
        return None
    counts = [h.nbytes for h in headers]
    out = numpy.empty(sum(counts), dtype=numpy.uint8)
    rt.wait([rt.comm.Igatherv(body, (out, (counts, _offsets(counts)), MPI.BYTE), root=root)])
    return tuple(_unpack(out[b:b + n], h)[0]
                 for b, n, h in zip(_offsets(counts), counts, headers, strict=True))


def allgather(rt: Runtime, x: Array) -> tuple[Array, ...]:
    """Every rank's ``x`` in rank order, on every rank."""
    array, header = _single(x, "allgather")
    headers = _objects.allgather_obj(rt, header)
    counts = [h.nbytes for h in headers]
    out = numpy.empty(sum(counts), dtype=numpy.uint8)
    rt.wait([rt.comm.Iallgatherv(_pack([array]), (out, (counts, _offsets(counts)), MPI.BYTE))])
    return tuple(_unpack(out[b:b + n], h)[0]
                 for b, n, h in zip(_offsets(counts), counts, headers, strict=True))


def scatter(rt: Runtime, xs: object, root: int) -> Array:
    """``xs[i]`` of ``root`` on rank ``i``; ``xs`` is a tuple/list of one array per
    rank, or an array whose first axis has one entry per rank."""
    if rt.rank != root:
        header = _objects.scatter_obj(rt, None, root)
        buf = numpy.empty(header.nbytes, dtype=numpy.uint8)
        rt.wait([rt.comm.Iscatterv(None, buf, root=root)])
        return _unpack(buf, header)[0]
    if isinstance(xs, numpy.ndarray) or backend.is_cupy_array(xs):
        whole: Array = xs  # type: ignore[assignment]  # an array, checked above
        if whole.ndim == 0 or whole.shape[0] != rt.size:
            raise ValueError(f"scatter: an array needs one entry per rank along axis 0 "
                             f"({rt.size}), got shape {whole.shape}")
        parts = [whole[i] for i in range(rt.size)]
    else:
        parts, _ = _arrays(xs, "scatter")
        if len(parts) != rt.size:
            raise ValueError(f"scatter: the root needs one array per rank ({rt.size}), "
                             f"got {len(parts)}")
    headers = [_header([p], False, "scatter") for p in parts]
    _objects.scatter_obj(rt, headers, root)
    counts = [h.nbytes for h in headers]
    mine = numpy.empty(counts[root], dtype=numpy.uint8)
    spec = (_pack(parts), (counts, _offsets(counts)), MPI.BYTE)
    rt.wait([rt.comm.Iscatterv(spec, mine, root=root)])
    return _unpack(mine, headers[root])[0]


def alltoall(rt: Runtime, xs: Sequence[Array]) -> tuple[Array, ...]:
    """Rank ``j`` gets ``xs[j]`` of every rank ``i`` as the ``i``-th result."""
    parts, _ = _arrays(xs, "alltoall")
    if len(parts) != rt.size:
        raise ValueError(f"alltoall: the length of xs must be the communicator size "
                         f"({rt.size}), got {len(parts)}")
    mine = [_header([p], False, "alltoall") for p in parts]
    table = _objects.allgather_obj(rt, mine)
    incoming = [table[i][rt.rank] for i in range(rt.size)]
    send_counts = [h.nbytes for h in mine]
    recv_counts = [h.nbytes for h in incoming]
    out = numpy.empty(sum(recv_counts), dtype=numpy.uint8)
    rt.wait([rt.comm.Ialltoallv(
        (_pack(parts), (send_counts, _offsets(send_counts)), MPI.BYTE),
        (out, (recv_counts, _offsets(recv_counts)), MPI.BYTE))])
    return tuple(_unpack(out[b:b + n], h)[0]
                 for b, n, h in zip(_offsets(recv_counts), recv_counts, incoming, strict=True))


def reduction_dtype(dtype: numpy.dtype[Any]) -> numpy.dtype[Any]:
    """The dtype MPI sums ``dtype`` in (float16 in float32)."""
    return numpy.dtype(numpy.float32) if dtype == numpy.float16 else dtype


def allreduce(rt: Runtime, x: Array) -> Array:
    """The elementwise sum of every rank's ``x`` (same shape and dtype on every
    rank), in ``x``'s dtype, on ``x``'s device."""
    array, header = _single(x, "allreduce")
    host = as_host(array)
    work = host.astype(reduction_dtype(host.dtype), copy=True)
    rt.wait([rt.comm.Iallreduce(MPI.IN_PLACE, work.reshape(-1))])
    return from_host(work.astype(host.dtype, copy=False), header.on_gpu)
