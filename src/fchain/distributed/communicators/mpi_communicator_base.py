"""``MpiCommunicatorBase``: every communicator method on MPI through mpi4py.

The subclasses differ only in how they sum a model's gradients (``_reducer`` for
host buffers, ``_device_sum_`` for GPU buffers) and in what they check when made;
see ``kinds.py``.  All calls go through a ``Runtime`` (``_runtime.py``): started
non-blocking, completed under ``timeout`` while watching for peers' failures.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Sequence
from functools import reduce
from typing import Any, ClassVar, Self, TypeVar, cast

import numpy
from mpi4py import MPI

from fchain.core import backend
from fchain.distributed.communicators import _arrays, _objects
from fchain.distributed.communicators._nccl import NcclBackend
from fchain.distributed.communicators._packing import Group, Packer
from fchain.distributed.communicators._reduce import FlatReducer, Reducer
from fchain.distributed.communicators._runtime import Runtime
from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.facade.link_base import Link
from fchain.graph.config import config
from fchain.types import Array

__all__ = ["MpiCommunicatorBase"]

T = TypeVar("T")


def _node_ranks(rt: Runtime) -> tuple[int, int, int, int]:
    """``(intra_rank, intra_size, inter_rank, inter_size)`` from the machines' names:
    machines are numbered by their lowest rank, processes on one by their rank."""
    names = _objects.allgather_obj(rt, MPI.Get_processor_name())
    ranks_of: dict[str, list[int]] = defaultdict(list)
    for rank, name in enumerate(names):
        ranks_of[name].append(rank)
    machines = sorted(ranks_of, key=lambda name: ranks_of[name][0])
    mine = names[rt.rank]
    return (ranks_of[mine].index(rt.rank), len(ranks_of[mine]), machines.index(mine), len(machines))


class _PendingMean:
    """A mean of packed gradients in flight: host buffers on the flat path are
    already being all-reduced, GPU buffers on NCCL are queued on a side stream; the
    rest is summed in ``finish``."""

    def __init__(self, comm: MpiCommunicatorBase, groups: list[Group], rt: Runtime) -> None:
        self._comm = comm
        self._groups = groups
        self._call, self._seq = rt.call, rt.seq
        self._started: list[tuple[Group, Any]] = []
        for group in groups:
            if not group.on_gpu and isinstance(comm._reducer, FlatReducer):
                self._started.append((group, rt.comm.Iallreduce(MPI.IN_PLACE, group.buffer)))
            elif group.on_gpu and comm.uses_nccl:
                self._started.append((group, comm._nccl_backend().start_sum(group.buffer)))

    def finish(self) -> None:
        comm, rt = self._comm, self._comm._rt
        rt.call, rt.seq = self._call, self._seq
        started = {id(group): handle for group, handle in self._started}
        for group in self._groups:
            handle = started.get(id(group))
            if handle is None:
                comm._sum_(group, rt)
            elif group.on_gpu:
                comm._nccl_backend().finish(handle)
            else:
                rt.wait([handle])
        Packer.unpack_grads(self._groups)


class MpiCommunicatorBase(CommunicatorBase):
    """A communicator over ``mpi_comm`` (an mpi4py intracommunicator; all its ranks
    must create it together).  ``timeout`` bounds every wait, in seconds."""

    #: The name ``create_communicator`` knows this class by.
    kind: ClassVar[str] = "mpi"
    #: Whether GPU gradients are summed with NCCL (else staged through host memory).
    uses_nccl: ClassVar[bool] = False

    def __init__(self, mpi_comm: MPI.Intracomm, timeout: float) -> None:
        self.mpi_comm = mpi_comm
        self._rt = Runtime(mpi_comm, self.kind, timeout)
        self._runtimes: list[Runtime] = [self._rt]
        self._rt.begin("create_communicator")
        (self._intra_rank, self._intra_size,
         self._inter_rank, self._inter_size) = _node_ranks(self._rt)
        self._packer = Packer()
        self._spare_packers = (Packer(), Packer())
        self._flip = 0
        self._reducer: Reducer = FlatReducer(self._rt)
        self._nccl: NcclBackend | None = None
        self._configs: dict[str, Any] = {"batched_copy": True}

    # ---------------------------------------------------------------- topology
    @property
    def rank(self) -> int:
        return self._rt.rank

    @property
    def size(self) -> int:
        return self._rt.size

    @property
    def intra_rank(self) -> int:
        return self._intra_rank

    @property
    def intra_size(self) -> int:
        return self._intra_size

    @property
    def inter_rank(self) -> int:
        return self._inter_rank

    @property
    def inter_size(self) -> int:
        return self._inter_size

    @property
    def timeout(self) -> float:
        return self._rt.timeout

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        seconds = float(seconds)
        if not seconds > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {seconds}")
        for rt in self._runtimes:
            rt.timeout = seconds

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} '{self.kind}' rank {self.rank} of {self.size}, "
                f"timeout {self.timeout:g} s>")

    def _begin(self, call: str) -> Runtime:
        for rt in self._runtimes[1:]:
            if rt.failure is not None and self._rt.failure is None:
                self._rt.failure = rt.failure
        self._rt.begin(call)
        return self._rt

    def _check_rank(self, call: str, name: str, rank: int) -> None:
        if not 0 <= rank < self.size:
            raise ValueError(f"{call}: {name}={rank} is not a rank of this communicator "
                             f"(0..{self.size - 1})")

    # -------------------------------------------------------------- configuration
    def set_config(self, name: str, value: object = True) -> None:
        if name == "batched_copy":
            self._configs[name] = bool(value)
            return
        super().set_config(name, value)

    def get_config(self, name: str | None = None) -> object:
        if name is None:
            return dict(self._configs)
        if name in self._configs:
            return self._configs[name]
        return super().get_config(name)

    def split(self, color: int, key: int) -> Self:
        rt = self._begin("split")
        # Every rank is known to be here once this completes, so the blocking
        # MPI_Comm_split below cannot wait for a rank that is gone.
        _objects.allgather_obj(rt, (color, key))
        sub = cast(MPI.Intracomm, self.mpi_comm.Split(color, key))
        return type(self)(sub, timeout=self.timeout)

    # -------------------------------------------------------------------- arrays
    def send(self, data: Array | Sequence[Array], dest: int, tag: int) -> None:
        self._check_rank("send", "dest", dest)
        _arrays.send(self._begin("send"), data, dest, tag)

    def recv(self, source: int, tag: int) -> Array | tuple[Array, ...]:
        self._check_rank("recv", "source", source)
        return _arrays.recv(self._begin("recv"), source, tag)

    def bcast(self, x: Array | None, root: int = 0) -> Array:
        self._check_rank("bcast", "root", root)
        return _arrays.bcast(self._begin("bcast"), x, root)

    def gather(self, x: Array, root: int = 0) -> tuple[Array, ...] | None:
        self._check_rank("gather", "root", root)
        return _arrays.gather(self._begin("gather"), x, root)

    def allgather(self, x: Array) -> tuple[Array, ...]:
        return _arrays.allgather(self._begin("allgather"), x)

    def allreduce(self, x: Array) -> Array:
        rt = self._begin("allreduce")
        dtype = getattr(x, "dtype", None)
        if dtype is None or dtype.kind != "f":
            return _arrays.allreduce(rt, x)
        host = _arrays.as_host(x)
        work = host.astype(_arrays.reduction_dtype(host.dtype), copy=True).reshape(-1)
        self._reducer.sum_(work, rt.call, rt.seq)  # floats: the communicator's algorithm
        result = work.reshape(host.shape).astype(host.dtype, copy=False)
        return _arrays.from_host(result, backend.is_cupy_array(x))

    def scatter(self, xs: Sequence[Array] | Array | None, root: int = 0) -> Array:
        self._check_rank("scatter", "root", root)
        return _arrays.scatter(self._begin("scatter"), xs, root)

    def alltoall(self, xs: Sequence[Array]) -> tuple[Array, ...]:
        return _arrays.alltoall(self._begin("alltoall"), xs)

    def barrier(self) -> None:
        """Wait until every rank has called ``barrier`` (fchain's addition)."""
        rt = self._begin("barrier")
        rt.wait([rt.comm.Ibarrier()])

    # ------------------------------------------------------------------ objects
    def send_obj(self, obj: object, dest: int, tag: int = 0) -> None:
        self._check_rank("send_obj", "dest", dest)
        _objects.send_obj(self._begin("send_obj"), obj, dest, tag)

    def recv_obj(self, source: int, status: MPI.Status | None = None, tag: int | None = None) -> object:
        self._check_rank("recv_obj", "source", source)
        return _objects.recv_obj(self._begin("recv_obj"), source,
                                 MPI.ANY_TAG if tag is None else tag, status)

    def bcast_obj(self, obj: T | None, max_buf_len: int = _objects.DEFAULT_MAX_BUF_LEN,
                  root: int = 0) -> T:
        self._check_rank("bcast_obj", "root", root)
        result: T = _objects.bcast_obj(self._begin("bcast_obj"), obj, root, max_buf_len)
        return result

    def gather_obj(self, obj: T, root: int = 0) -> list[T] | None:
        self._check_rank("gather_obj", "root", root)
        return _objects.gather_obj(self._begin("gather_obj"), obj, root)

    def allgather_obj(self, obj: T) -> list[T]:
        """Every rank's ``obj``, in rank order, on every rank (fchain's addition)."""
        return _objects.allgather_obj(self._begin("allgather_obj"), obj)

    def scatter_obj(self, objs: Sequence[T] | None, root: int = 0) -> T:
        """``objs[i]`` of ``root`` on rank ``i`` (fchain's addition)."""
        self._check_rank("scatter_obj", "root", root)
        result: T = _objects.scatter_obj(self._begin("scatter_obj"),
                                         None if objs is None else list(objs), root)
        return result

    def allreduce_obj(self, obj: T) -> T:
        values = _objects.allgather_obj(self._begin("allreduce_obj"), obj)
        result: T = reduce(operator.add, values)
        return result

    # ------------------------------------------------------------------- models
    def bcast_data(self, model: Link) -> None:
        rt = self._begin("bcast_data")
        groups = self._packer.pack_data(model._param_list())
        for group in groups:
            if group.on_gpu and self.uses_nccl:
                self._nccl_backend().bcast(group.buffer, 0)
            else:
                host = _arrays.as_host(group.buffer)
                rt.wait([rt.comm.Ibcast(host, root=0)])
                if group.on_gpu:
                    group.buffer[...] = _arrays.from_host(host, True)
        if self.rank != 0:
            self._packer.unpack_data(groups)

    def multi_node_mean_grad(self, model: Link, zero_fill: bool = False) -> None:
        rt = self._begin("multi_node_mean_grad")
        params = model._param_list()
        if config.debug:
            self._check_same_layout(rt, params, zero_fill)
        groups = self._packer.pack_grads(params, zero_fill, 1.0 / self.size,
                                         self._grad_dtype())
        for group in groups:
            self._sum_(group, rt)
        self._packer.unpack_grads(groups)

    def _start_mean_grad(self, model: Link, zero_fill: bool) -> _PendingMean:
        """Pack ``model``'s gradients and start their mean (double buffering):
        ``finish()`` on the result completes it and makes them the gradients.  Two
        packers alternate, so the buffers of the call in flight stay untouched."""
        rt = self._begin("multi_node_mean_grad")
        packer = self._spare_packers[self._flip]
        self._flip ^= 1
        groups = packer.pack_grads(model._param_list(), zero_fill, 1.0 / self.size,
                                   self._grad_dtype())
        return _PendingMean(self, groups, rt)

    def _grad_dtype(self) -> numpy.dtype[Any] | None:
        """The dtype gradients travel in (``None``: their own, float16 as float32)."""
        return None

    def _sum_(self, group: Group, rt: Runtime) -> None:
        if not group.on_gpu:
            self._reducer.sum_(group.buffer, rt.call, rt.seq)
        elif self.uses_nccl:
            self._nccl_backend().sum_(group.buffer)
        else:
            host = _arrays.as_host(group.buffer)
            self._reducer.sum_(host, rt.call, rt.seq)
            group.buffer[...] = _arrays.from_host(host, True)

    def _nccl_backend(self) -> NcclBackend:
        if self._nccl is None:
            self._nccl = NcclBackend(self._rt, self.kind)
        return self._nccl

    def _check_same_layout(self, rt: Runtime, params: Sequence[Any], zero_fill: bool) -> None:
        """In debug mode: every rank packs the same parameters with the same shapes
        and dtypes (else the all-reduce would mix unrelated numbers)."""
        layout = [(p.shape, str(p.dtype)) for p in params
                  if p._data is not None and (zero_fill or p._grad_var is not None)]
        layouts = _objects.allgather_obj(rt, layout)
        for rank, other in enumerate(layouts):
            if other != layout:
                raise ValueError(
                    f"multi_node_mean_grad: rank {rank} has gradients {other} but rank "
                    f"{self.rank} has {layout}; every rank needs the same model (pass "
                    "zero_fill=True when some parameters get no gradient on some ranks)")

    def _multi_node_mean(self, sendbuf: Array | None, recvbuf: Array) -> None:
        """``recvbuf`` becomes the mean over ranks of ``sendbuf`` (of ``recvbuf``
        itself when ``sendbuf`` is ``None``), in place; ChainerMN's helper, used by
        multi-node batch normalization and ``AllreducePersistent``."""
        rt = self._begin("multi_node_mean")
        source = recvbuf if sendbuf is None else sendbuf
        host = _arrays.as_host(source)
        work = host.astype(_arrays.reduction_dtype(host.dtype), copy=True).reshape(-1)
        self._reducer.sum_(work, rt.call, rt.seq)
        work *= 1.0 / self.size
        result = work.reshape(source.shape).astype(recvbuf.dtype, copy=False)
        recvbuf[...] = _arrays.from_host(result, backend.is_cupy_array(recvbuf))

    def finalize(self) -> None:
        if self._nccl is not None:
            self._nccl.destroy()
            self._nccl = None
        for rt in self._runtimes:
            rt.close()
