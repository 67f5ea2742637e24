"""Python objects between ranks: pickled, then moved as bytes by non-blocking MPI
calls that ``Runtime.wait`` completes (so every one of them has a deadline).

mpi4py's own object calls (``comm.bcast(obj)``) block inside MPI; these do not.  The
byte counts travel first (as int64), then the bytes; a broadcast is cut into chunks
of at most ``max_buf_len`` bytes, as in ChainerMN, because MPI counts are 32-bit.
Objects are unpickled only from the ranks of the same job.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy
from mpi4py import MPI

from fchain.distributed.communicators._runtime import Runtime

__all__ = [
    "DEFAULT_MAX_BUF_LEN",
    "allgather_obj",
    "bcast_obj",
    "gather_obj",
    "recv_obj",
    "scatter_obj",
    "send_obj",
]

DEFAULT_MAX_BUF_LEN = 256 * 1024 * 1024
_INT_MAX = 2**31 - 1


def _dumps(obj: object) -> numpy.ndarray[Any, numpy.dtype[numpy.uint8]]:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return numpy.frombuffer(data, dtype=numpy.uint8)


def _loads(buf: numpy.ndarray[Any, numpy.dtype[numpy.uint8]]) -> Any:
    return pickle.loads(buf.tobytes())


def _offsets(counts: list[int]) -> list[int]:
    out, total = [], 0
    for n in counts:
        out.append(total)
        total += n
    return out


def _check_count(rt: Runtime, call: str, n: int) -> None:
    if n > _INT_MAX:
        raise OverflowError(f"{call}: {n} bytes of pickled data on rank {rt.rank} exceed MPI's "
                            f"32-bit count ({_INT_MAX}); send smaller objects")


def bcast_obj(rt: Runtime, obj: object, root: int, max_buf_len: int) -> Any:
    """``obj`` of ``root`` on every rank."""
    if not 0 < max_buf_len <= _INT_MAX:
        raise ValueError(f"bcast_obj: max_buf_len must be in 1..{_INT_MAX}, got {max_buf_len}")
    size = numpy.zeros(1, dtype=numpy.int64)
    data = _dumps(obj) if rt.rank == root else None
    if data is not None:
        size[0] = data.size
    rt.wait([rt.comm.Ibcast(size, root=root)])
    n = int(size[0])
    buf = data if data is not None else numpy.empty(n, dtype=numpy.uint8)
    for begin in range(0, n, max_buf_len):
        rt.wait([rt.comm.Ibcast(buf[begin:begin + max_buf_len], root=root)])
    return obj if data is not None else _loads(buf)


def _gather_bytes(rt: Runtime, data: numpy.ndarray[Any, numpy.dtype[numpy.uint8]], root: int | None,
                  call: str) -> list[numpy.ndarray[Any, numpy.dtype[numpy.uint8]]] | None:
    """Every rank's bytes on ``root`` (``None`` elsewhere), or on all ranks when
    ``root`` is ``None``."""
    _check_count(rt, call, data.size)
    sizes = numpy.zeros(rt.size, dtype=numpy.int64)
    mine = numpy.array([data.size], dtype=numpy.int64)
    if root is None:
        rt.wait([rt.comm.Iallgather(mine, sizes)])
    else:
        rt.wait([rt.comm.Igather(mine, sizes, root=root)])
    if root is not None and rt.rank != root:
        rt.wait([rt.comm.Igatherv(data, None, root=root)])
        return None
    counts = [int(n) for n in sizes]
    _check_count(rt, call, sum(counts))
    out = numpy.empty(sum(counts), dtype=numpy.uint8)
    spec = (out, (counts, _offsets(counts)), MPI.BYTE)
    if root is None:
        rt.wait([rt.comm.Iallgatherv(data, spec)])
    else:
        rt.wait([rt.comm.Igatherv(data, spec, root=root)])
    return [out[b:b + n] for b, n in zip(_offsets(counts), counts, strict=True)]


def gather_obj(rt: Runtime, obj: object, root: int) -> list[Any] | None:
    """Every rank's ``obj`` in rank order on ``root``; ``None`` on the others."""
    parts = _gather_bytes(rt, _dumps(obj), root, "gather_obj")
    if parts is None:
        return None
    return [obj if i == rt.rank else _loads(p) for i, p in enumerate(parts)]


def allgather_obj(rt: Runtime, obj: object) -> list[Any]:
    """Every rank's ``obj`` in rank order, on every rank."""
    parts = _gather_bytes(rt, _dumps(obj), None, "allgather_obj")
    assert parts is not None
    return [obj if i == rt.rank else _loads(p) for i, p in enumerate(parts)]


def scatter_obj(rt: Runtime, objs: list[Any] | None, root: int) -> Any:
    """``objs[i]`` of ``root`` on rank ``i``."""
    counts = numpy.zeros(rt.size, dtype=numpy.int64)
    parts: list[numpy.ndarray[Any, numpy.dtype[numpy.uint8]]] = []
    if rt.rank == root:
        if objs is None or len(objs) != rt.size:
            got = "None" if objs is None else f"{len(objs)} objects"
            raise ValueError(f"scatter_obj: the root needs one object per rank ({rt.size}), got {got}")
        parts = [_dumps(o) for o in objs]
        counts[:] = [p.size for p in parts]
        _check_count(rt, "scatter_obj", int(counts.sum()))
    rt.wait([rt.comm.Ibcast(counts, root=root)])
    mine = numpy.empty(int(counts[rt.rank]), dtype=numpy.uint8)
    if rt.rank == root:
        send = numpy.concatenate(parts) if parts else numpy.empty(0, numpy.uint8)
        spec = (send, ([int(n) for n in counts], _offsets([int(n) for n in counts])), MPI.BYTE)
        rt.wait([rt.comm.Iscatterv(spec, mine, root=root)])
        return objs[root] if objs is not None else None
    rt.wait([rt.comm.Iscatterv(None, mine, root=root)])
    return _loads(mine)


def send_obj(rt: Runtime, obj: object, dest: int, tag: int) -> None:
    """Send ``obj`` to ``dest``; returns once the peer has started receiving it
    (a synchronous send, so a missing receiver is caught by the timeout)."""
    data = _dumps(obj)
    _check_count(rt, "send_obj", data.size)
    rt.wait([rt.comm.Issend(data, dest=dest, tag=tag)])


def recv_obj(rt: Runtime, source: int, tag: int, status: MPI.Status | None = None) -> Any:
    """The next object ``source`` sent with ``tag`` (``MPI.ANY_TAG``: any)."""
    probe = MPI.Status()
    found: list[MPI.Message] = []

    def arrived() -> bool:
        message = rt.comm.improbe(source, tag, probe)
        if message is None:
            return False
        found.append(message)
        return True

    if not arrived():
        rt.wait_for(arrived)
    buf = numpy.empty(probe.Get_count(MPI.BYTE), dtype=numpy.uint8)
    rt.wait([found[0].Irecv((buf, MPI.BYTE))])
    if status is not None:
        status.Set_source(probe.Get_source())
        status.Set_tag(probe.Get_tag())
    return _loads(buf)
