"""NCCL for GPU arrays, through CuPy's ``cupy.cuda.nccl``.

The CUDA communicators (``pure_nccl``, ``hierarchical``, ``two_dimensional``,
``single_node``, ``non_cuda_aware``) sum and broadcast a model's GPU buffers with one
NCCL call over all ranks; NCCL picks rings and trees across GPUs and nodes itself.
The NCCL communicator is built on first use (its id travels over MPI), so creating
one of these communicators on a machine without GPUs works for CPU arrays.  NCCL
calls are asynchronous: the wait polls a CUDA event under the communicator's
deadline and aborts the NCCL communicator when it expires.
"""

from __future__ import annotations

from typing import Any

from fchain.core import backend
from fchain.distributed.communicators import _objects
from fchain.distributed.communicators._nccl_probe import nccl_module, nccl_unavailable_reason
from fchain.distributed.communicators._runtime import Runtime
from fchain.distributed.errors import CollectiveTimeoutError, NcclUnavailableError
from fchain.types import Array

__all__ = ["NcclBackend", "nccl_unavailable_reason"]


class NcclBackend:
    """One NCCL communicator over the ranks of ``rt`` (each on its current GPU)."""

    def __init__(self, rt: Runtime, kind: str) -> None:
        reason = nccl_unavailable_reason()
        if reason is not None:
            raise NcclUnavailableError(
                f"fchain.distributed: communicator '{kind}' moves GPU arrays with NCCL, but "
                f"{reason}; use 'naive' or 'flat', which stage GPU arrays through host memory")
        nccl = nccl_module()
        assert nccl is not None
        self._mod = nccl
        self._rt = rt
        uid = nccl.get_unique_id() if rt.rank == 0 else None
        uid = _objects.bcast_obj(rt, uid, 0, _objects.DEFAULT_MAX_BUF_LEN)
        self._comm: Any = nccl.NcclCommunicator(rt.size, uid, rt.rank)
        self._side: Any = None

    def _dtype(self, buf: Array) -> int:
        names = {"float16": "NCCL_FLOAT16", "float32": "NCCL_FLOAT32", "float64": "NCCL_FLOAT64",
                 "int32": "NCCL_INT32", "int64": "NCCL_INT64", "uint8": "NCCL_UINT8"}
        name = names.get(buf.dtype.name)
        if name is None:
            raise TypeError(f"NCCL cannot move dtype {buf.dtype}")
        value: int = getattr(self._mod, name)
        return value

    def _wait(self) -> None:
        cp = backend.cupy_module()
        assert cp is not None
        event = cp.cuda.Event(disable_timing=True)
        event.record(cp.cuda.get_current_stream())
        self.finish(event)

    def sum_(self, buf: Array) -> None:
        """Sum ``buf`` (a 1-D CuPy array) over all ranks, in place."""
        cp = backend.cupy_module()
        assert cp is not None
        ptr = buf.data.ptr  # type: ignore[attr-defined]  # a CuPy array's device pointer
        self._comm.allReduce(ptr, ptr, buf.size, self._dtype(buf), self._mod.NCCL_SUM,
                             cp.cuda.get_current_stream().ptr)
        self._wait()

    def start_sum(self, buf: Array) -> Any:
        """Queue the sum of ``buf`` on a side stream once the current stream's work
        so far is done; returns the event ``finish`` waits for."""
        cp = backend.cupy_module()
        assert cp is not None
        if self._side is None:
            self._side = cp.cuda.Stream(non_blocking=True)
        ready = cp.cuda.Event(disable_timing=True)
        ready.record(cp.cuda.get_current_stream())
        self._side.wait_event(ready)
        ptr = buf.data.ptr  # type: ignore[attr-defined]  # a CuPy array's device pointer
        self._comm.allReduce(ptr, ptr, buf.size, self._dtype(buf), self._mod.NCCL_SUM, self._side.ptr)
        done = cp.cuda.Event(disable_timing=True)
        done.record(self._side)
        return done

    def finish(self, event: Any) -> None:
        """Wait for a sum started by ``start_sum``."""
        try:
            self._rt.wait_for(lambda: bool(event.done))
        except CollectiveTimeoutError:
            self._comm.abort()
            raise

    def bcast(self, buf: Array, root: int) -> None:
        """``buf`` of ``root`` into ``buf`` on every rank."""
        cp = backend.cupy_module()
        assert cp is not None
        ptr = buf.data.ptr  # type: ignore[attr-defined]  # a CuPy array's device pointer
        self._comm.bcast(ptr, buf.size, self._dtype(buf), root, cp.cuda.get_current_stream().ptr)
        self._wait()

    def destroy(self) -> None:
        self._comm.destroy()
