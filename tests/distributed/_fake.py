"""An in-process communicator of ``size`` simulated ranks for unit tests of the logic
above the communicator (optimizers, evaluators): every call is recorded; the mean
of gradients is taken as if every rank had this rank's gradients, times
``grad_factor`` (so a test can see that it ran)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self, TypeVar

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.facade.link_base import Link
from fchain.types import Array

T = TypeVar("T")


class FakeCommunicator(CommunicatorBase):
    def __init__(self, rank: int = 0, size: int = 1, grad_factor: float = 1.0) -> None:
        self._rank, self._size = rank, size
        self.grad_factor = grad_factor
        self.calls: list[str] = []
        self.others: list[Any] = []  # what allreduce_obj adds from the "other ranks"

    @property
    def rank(self) -> int:
        return self._rank

    @property
    def size(self) -> int:
        return self._size

    @property
    def intra_rank(self) -> int:
        return self._rank

    @property
    def intra_size(self) -> int:
        return self._size

    @property
    def inter_rank(self) -> int:
        return 0

    @property
    def inter_size(self) -> int:
        return 1

    @property
    def timeout(self) -> float:
        return 1.0

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        pass

    def split(self, color: int, key: int) -> Self:
        return self

    def send(self, data: Array | Sequence[Array], dest: int, tag: int) -> None:
        raise NotImplementedError

    def recv(self, source: int, tag: int) -> Array | tuple[Array, ...]:
        raise NotImplementedError

    def bcast(self, x: Array | None, root: int = 0) -> Array:
        raise NotImplementedError

    def gather(self, x: Array, root: int = 0) -> tuple[Array, ...] | None:
        raise NotImplementedError

    def allgather(self, x: Array) -> tuple[Array, ...]:
        raise NotImplementedError

    def allreduce(self, x: Array) -> Array:
        raise NotImplementedError

    def scatter(self, xs: Sequence[Array] | Array | None, root: int = 0) -> Array:
        raise NotImplementedError

    def alltoall(self, xs: Sequence[Array]) -> tuple[Array, ...]:
        raise NotImplementedError

    def send_obj(self, obj: object, dest: int, tag: int = 0) -> None:
        raise NotImplementedError

    def recv_obj(self, source: int, status: Any = None, tag: int | None = None) -> Any:
        raise NotImplementedError

    def bcast_obj(self, obj: T | None, max_buf_len: int = 256 * 1024 * 1024, root: int = 0) -> T:
        self.calls.append("bcast_obj")
        return obj  # type: ignore[return-value]  # one process: the root's object

    def gather_obj(self, obj: T, root: int = 0) -> list[T] | None:
        self.calls.append("gather_obj")
        return [obj]

    def allreduce_obj(self, obj: T) -> T:
        self.calls.append("allreduce_obj")
        total = obj
        for other in self.others:
            total = total + other
        return total

    def bcast_data(self, model: Link) -> None:
        self.calls.append("bcast_data")

    def multi_node_mean_grad(self, model: Link, zero_fill: bool = False) -> None:
        self.calls.append("multi_node_mean_grad")
        for param in model.params():
            if param.grad is not None:
                param.grad = param.grad * self.grad_factor
