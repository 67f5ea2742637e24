"""The communicators ``create_communicator`` makes, by name.

On the CPU every name runs on MPI; they differ in how a model's gradients are
summed (``_reduce.py``) and in what they do with GPU arrays:

=================  ===============================  ==========================
name               host gradients                   GPU gradients
=================  ===============================  ==========================
``naive``          one MPI all-reduce               staged through host memory
``flat``           one MPI all-reduce               staged through host memory
``hierarchical``   node reduce, MPI across nodes    NCCL
``two_dimensional`` node reduce-scatter, MPI, gather NCCL
``single_node``    one MPI all-reduce (one node)    NCCL
``non_cuda_aware`` one MPI all-reduce               NCCL
``pure_nccl``      one MPI all-reduce               NCCL
``dummy``          no communication (benchmarks)    none
=================  ===============================  ==========================

ChainerMN's ``naive`` all-reduces each parameter separately; fchain's packs them
into one buffer like the others.  A CUDA name on a machine without NCCL raises
``NcclUnavailableError`` on the first GPU array (CPU arrays keep working).
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

import numpy
from mpi4py import MPI

from fchain.distributed.communicators import _objects
from fchain.distributed.communicators._packing import Group
from fchain.distributed.communicators._reduce import HierarchicalReducer, TwoDimensionalReducer
from fchain.distributed.communicators._runtime import Runtime
from fchain.distributed.communicators.mpi_communicator_base import MpiCommunicatorBase
from fchain.facade.link_base import Link

__all__ = [
    "DummyCommunicator",
    "FlatCommunicator",
    "HierarchicalCommunicator",
    "KINDS",
    "NaiveCommunicator",
    "NonCudaAwareCommunicator",
    "PureNcclCommunicator",
    "SingleNodeCommunicator",
    "TwoDimensionalCommunicator",
]


class NaiveCommunicator(MpiCommunicatorBase):
    """MPI for everything; GPU arrays go through host memory.  For the CPU."""

    kind: ClassVar[str] = "naive"


class FlatCommunicator(MpiCommunicatorBase):
    """As ``naive`` (ChainerMN's uses a CUDA-aware MPI; fchain does not assume one)."""

    kind: ClassVar[str] = "flat"


class NonCudaAwareCommunicator(MpiCommunicatorBase):
    """NCCL for GPU gradients, host MPI for everything else."""

    kind: ClassVar[str] = "non_cuda_aware"
    uses_nccl: ClassVar[bool] = True


class SingleNodeCommunicator(MpiCommunicatorBase):
    """NCCL for GPU gradients; every rank must be on one machine."""

    kind: ClassVar[str] = "single_node"
    uses_nccl: ClassVar[bool] = True

    def __init__(self, mpi_comm: MPI.Intracomm, timeout: float) -> None:
        super().__init__(mpi_comm, timeout)
        if self.inter_size != 1:
            raise ValueError(f"communicator 'single_node' needs every rank on one machine; "
                             f"this job runs on {self.inter_size} machines (use 'hierarchical')")


class PureNcclCommunicator(MpiCommunicatorBase):
    """NCCL for GPU gradients, optionally in ``allreduce_grad_dtype`` (float16 halves
    the traffic); MPI for everything else."""

    kind: ClassVar[str] = "pure_nccl"
    uses_nccl: ClassVar[bool] = True

    def __init__(self, mpi_comm: MPI.Intracomm, timeout: float) -> None:
        super().__init__(mpi_comm, timeout)
        self._configs["allreduce_grad_dtype"] = None

    def set_config(self, name: str, value: object = True) -> None:
        if name == "allreduce_grad_dtype":
            if value is None:
                self._configs[name] = None
                return
            dtype = numpy.dtype(value)  # type: ignore[call-overload]  # any dtype-like
            if dtype.kind != "f":
                raise ValueError(f"allreduce_grad_dtype must be float16, float32, float64 or "
                                 f"None, got {dtype}")
            self._configs[name] = dtype
            return
        super().set_config(name, value)

    def _grad_dtype(self) -> numpy.dtype[Any] | None:
        dtype: numpy.dtype[Any] | None = self._configs["allreduce_grad_dtype"]
        return dtype


def _sub_runtime(comm: MPI.Comm, name: str, timeout: float) -> Runtime | None:
    if comm == MPI.COMM_NULL:
        return None
    return Runtime(cast(MPI.Intracomm, comm), name, timeout)


class HierarchicalCommunicator(MpiCommunicatorBase):
    """Host gradients: reduce within each machine, all-reduce across machines among
    their first ranks, broadcast back; GPU gradients: NCCL."""

    kind: ClassVar[str] = "hierarchical"
    uses_nccl: ClassVar[bool] = True

    def __init__(self, mpi_comm: MPI.Intracomm, timeout: float) -> None:
        super().__init__(mpi_comm, timeout)
        _objects.allgather_obj(self._rt, "hierarchical")  # every rank is here
        intra = _sub_runtime(mpi_comm.Split_type(MPI.COMM_TYPE_SHARED, key=self.rank),
                             "hierarchical/intra", timeout)
        assert intra is not None
        color = 0 if intra.rank == 0 else MPI.UNDEFINED
        inter = _sub_runtime(mpi_comm.Split(color, self.rank), "hierarchical/inter", timeout)
        self._runtimes += [rt for rt in (intra, inter) if rt is not None]
        self._reducer = HierarchicalReducer(intra, inter)


class TwoDimensionalCommunicator(MpiCommunicatorBase):
    """Host gradients: reduce-scatter within each machine, all-reduce each slice
    across machines, all-gather within each machine (every machine must run the
    same number of ranks); GPU gradients: NCCL."""

    kind: ClassVar[str] = "two_dimensional"
    uses_nccl: ClassVar[bool] = True

    def __init__(self, mpi_comm: MPI.Intracomm, timeout: float) -> None:
        super().__init__(mpi_comm, timeout)
        sizes = _objects.allgather_obj(self._rt, self.intra_size)
        if len(set(sizes)) != 1:
            raise ValueError("communicator 'two_dimensional' needs the same number of ranks on "
                             f"every machine; got {sorted(set(sizes))} (use 'hierarchical')")
        intra = _sub_runtime(mpi_comm.Split_type(MPI.COMM_TYPE_SHARED, key=self.rank),
                             "two_dimensional/intra", timeout)
        inter = _sub_runtime(mpi_comm.Split(intra.rank if intra is not None else 0, self.rank),
                             "two_dimensional/inter", timeout)
        assert intra is not None and inter is not None
        self._runtimes += [intra, inter]
        self._reducer = TwoDimensionalReducer(intra, inter)


class DummyCommunicator(MpiCommunicatorBase):
    """Packs gradients but sends nothing: ``multi_node_mean_grad`` and
    ``bcast_data`` cost only the copies (ChainerMN's ``dummy``, for benchmarks;
    training with it is not data parallel)."""

    kind: ClassVar[str] = "dummy"

    def _sum_(self, group: Group, rt: Runtime) -> None:
        group.buffer *= self.size  # undo the mean's scaling: a sum of one

    def bcast_data(self, model: Link) -> None:
        self._begin("bcast_data")


KINDS: dict[str, type[MpiCommunicatorBase]] = {
    cls.kind: cls for cls in (
        NaiveCommunicator, FlatCommunicator, HierarchicalCommunicator, TwoDimensionalCommunicator,
        SingleNodeCommunicator, NonCudaAwareCommunicator, PureNcclCommunicator, DummyCommunicator)
}
