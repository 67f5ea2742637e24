"""``CommunicatorBase``: ChainerMN's communicator interface, typed.

Methods named after MPI calls move arrays (``send``, ``bcast``, ``allreduce``, ...);
those with an ``_obj`` suffix move picklable Python objects; ``bcast_data`` and
``multi_node_mean_grad`` work on a model's parameters and gradients.  Every rank
of the communicator must make the same collective calls in the same order.

Unlike ChainerMN, every call is bounded by ``timeout`` seconds: a rank that died,
hung or raised makes the others fail with an error naming it and the call (see
``fchain.distributed.errors``) instead of waiting forever.
"""

from __future__ import annotations

import abc
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Self, TypeVar

from fchain.facade.link_base import Link
from fchain.types import Array

if TYPE_CHECKING:
    from mpi4py import MPI

__all__ = ["CommunicatorBase"]

T = TypeVar("T")


class CommunicatorBase(abc.ABC):
    """What every fchain communicator provides (ChainerMN's ``CommunicatorBase``)."""

    # ---------------------------------------------------------------- topology
    @property
    @abc.abstractmethod
    def rank(self) -> int:
        """This process's rank in the communicator."""

    @property
    @abc.abstractmethod
    def size(self) -> int:
        """The number of processes in the communicator."""

    @property
    @abc.abstractmethod
    def intra_rank(self) -> int:
        """This process's rank among the processes on its machine (the GPU to use)."""

    @property
    @abc.abstractmethod
    def intra_size(self) -> int:
        """The number of processes on this process's machine."""

    @property
    @abc.abstractmethod
    def inter_rank(self) -> int:
        """The index of this process's machine among the machines of the job."""

    @property
    @abc.abstractmethod
    def inter_size(self) -> int:
        """The number of machines of the job."""

    @property
    @abc.abstractmethod
    def timeout(self) -> float:
        """Seconds any one wait of a call may take before it fails (settable)."""

    @timeout.setter
    @abc.abstractmethod
    def timeout(self, seconds: float) -> None: ...

    # -------------------------------------------------------------- configuration
    def set_config(self, name: str, value: object = True) -> None:
        """Set a configuration of the communicator (``'batched_copy'``, accepted and
        ignored as in ChainerMN 7; ``'allreduce_grad_dtype'`` on ``pure_nccl``)."""
        raise ValueError(f"Unknown config: {name}")

    def get_config(self, name: str | None = None) -> object:
        """The value of configuration ``name``, or all of them as a dict."""
        raise ValueError(f"Unknown config: {name}")

    @abc.abstractmethod
    def split(self, color: int, key: int) -> Self:
        """A communicator of the ranks that pass the same ``color``, ranked by ``key``
        (``MPI_Comm_split``); collective over this communicator."""

    # -------------------------------------------------------------------- arrays
    @abc.abstractmethod
    def send(self, data: Array | Sequence[Array], dest: int, tag: int) -> None:
        """Send an array or a tuple of arrays to rank ``dest``; ``dest`` calls
        ``recv(source, tag)``."""

    @abc.abstractmethod
    def recv(self, source: int, tag: int) -> Array | tuple[Array, ...]:
        """The array (or tuple of arrays, as sent) from rank ``source``."""

    @abc.abstractmethod
    def bcast(self, x: Array | None, root: int = 0) -> Array:
        """``x`` of ``root`` on every rank (the other ranks may pass ``None``)."""

    @abc.abstractmethod
    def gather(self, x: Array, root: int = 0) -> tuple[Array, ...] | None:
        """Every rank's ``x``, in rank order, on ``root``; ``None`` on the others."""

    @abc.abstractmethod
    def allgather(self, x: Array) -> tuple[Array, ...]:
        """Every rank's ``x``, in rank order, on every rank."""

    @abc.abstractmethod
    def allreduce(self, x: Array) -> Array:
        """The elementwise sum of every rank's ``x`` (same shape everywhere)."""

    @abc.abstractmethod
    def scatter(self, xs: Sequence[Array] | Array | None, root: int = 0) -> Array:
        """``xs[i]`` of ``root`` on rank ``i`` (``xs``: one array per rank, or an array
        with one entry per rank along axis 0; ignored on the other ranks)."""

    @abc.abstractmethod
    def alltoall(self, xs: Sequence[Array]) -> tuple[Array, ...]:
        """Send ``xs[j]`` to rank ``j``; the ``i``-th result came from rank ``i``."""

    # ------------------------------------------------------------------ objects
    @abc.abstractmethod
    def send_obj(self, obj: object, dest: int, tag: int = 0) -> None:
        """Send a picklable object to rank ``dest``."""

    @abc.abstractmethod
    def recv_obj(self, source: int, status: MPI.Status | None = None, tag: int | None = None) -> object:
        """The next object rank ``source`` sent (with ``tag``; ``None``: any tag);
        ``status`` (an ``mpi4py.MPI.Status``) receives its source and tag.  Typed
        ``object``: narrow it to what the sender sent."""

    @abc.abstractmethod
    def bcast_obj(self, obj: T | None, max_buf_len: int = 256 * 1024 * 1024, root: int = 0) -> T:
        """``obj`` of ``root`` on every rank (the others pass ``None``)."""

    @abc.abstractmethod
    def gather_obj(self, obj: T, root: int = 0) -> list[T] | None:
        """Every rank's ``obj``, in rank order, on ``root``; ``None`` on the others."""

    @abc.abstractmethod
    def allreduce_obj(self, obj: T) -> T:
        """The sum (``+``, in rank order) of every rank's ``obj``, on every rank."""

    # ------------------------------------------------------------------- models
    @abc.abstractmethod
    def bcast_data(self, model: Link) -> None:
        """Copy ``model``'s initialized parameters from rank 0 to every rank."""

    def broadcast_data(self, model: Link) -> None:
        """The old name of ``bcast_data``."""
        self.bcast_data(model)

    @abc.abstractmethod
    def multi_node_mean_grad(self, model: Link, zero_fill: bool = False) -> None:
        """Replace every gradient of ``model`` by its mean over the ranks, in one
        packed collective.  ``zero_fill``: an initialized parameter without a
        gradient counts as zeros (else it is skipped, and must be on every rank)."""

    def allreduce_grad(self, model: Link, zero_fill: bool = False) -> None:
        """Deprecated (ChainerMN 7): ``multi_node_mean_grad``."""
        warnings.warn("allreduce_grad() is deprecated; use multi_node_mean_grad()",
                      DeprecationWarning, stacklevel=2)
        self.multi_node_mean_grad(model, zero_fill)

    def finalize(self) -> None:
        """Stop using this communicator (later calls raise)."""

    # A communicator is a handle to a group of processes: a (deep) copy of a model
    # holding one (MultiNodeBatchNormalization, MultiNodeChainList) shares it.
    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError(f"{type(self).__name__} cannot be pickled: it is a handle to the MPI "
                        "processes of this job")
