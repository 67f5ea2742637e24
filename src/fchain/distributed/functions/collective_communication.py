"""Differentiable collectives: the backward of each is the collective that carries
gradients the other way.

=============  ===============================================================
forward        backward
=============  ===============================================================
``allgather``  all-to-all of the output gradients, summed per rank
``alltoall``   all-to-all of the output gradients
``bcast``      gather of the output gradients on the root, summed there
``gather``     scatter of the root's output gradients
``scatter``    gather of the output gradients on the root
=============  ===============================================================

Every rank must run these, and their backward passes, in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.core import backend
from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.distributed.functions._delegate import empty_like_device, mark_delegate
from fchain.facade.function import Function
from fchain.graph.config import config
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["AllGather", "AllToAll", "Bcast", "Gather", "Scatter",
           "allgather", "alltoall", "bcast", "gather", "scatter"]


def _sum(arrays: Sequence[Array]) -> Array:
    total = arrays[0].copy()
    for a in arrays[1:]:
        total += a
    return total


class AllGather(Function):
    """Every rank's input, in rank order, on every rank."""

    def __init__(self, comm: CommunicatorBase) -> None:
        self.comm = comm

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        return self.comm.allgather(inputs[0])

    def backward(self, inputs: tuple[Array, ...],
                 grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        return (_sum(self.comm.alltoall(grad_outputs)),)


class AllToAll(Function):
    """Input ``j`` to rank ``j``; output ``i`` from rank ``i``."""

    def __init__(self, comm: CommunicatorBase) -> None:
        self.comm = comm

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        if len(inputs) != self.comm.size:
            raise ValueError(f"alltoall: {len(inputs)} inputs for {self.comm.size} ranks")
        return self.comm.alltoall(inputs)

    def backward(self, inputs: tuple[Array, ...],
                 grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        return self.comm.alltoall(grad_outputs)


class Bcast(Function):
    """The root's input on every rank (the others' only input is a dummy)."""

    def __init__(self, comm: CommunicatorBase, root: int) -> None:
        self.comm = comm
        self.root = root

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        return (self.comm.bcast(inputs[0] if self.comm.rank == self.root else None, self.root),)

    def backward(self, inputs: tuple[Array, ...],
                 grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        gathered = self.comm.gather(grad_outputs[0], self.root)
        if gathered is None:
            return (None,)
        return (_sum(gathered),)


class Gather(Function):
    """Every rank's input on the root; the others get an empty delegate."""

    def __init__(self, comm: CommunicatorBase, root: int) -> None:
        self.comm = comm
        self.root = root

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        ys = self.comm.gather(inputs[0], self.root)
        if ys is None:
            return (empty_like_device(inputs[0], inputs[0].dtype),)
        return ys

    def backward(self, inputs: tuple[Array, ...],
                 grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        grads = grad_outputs if self.comm.rank == self.root else None
        return (self.comm.scatter(grads, self.root),)


class Scatter(Function):
    """The root's ``i``-th input on rank ``i`` (the others' only input is a dummy)."""

    def __init__(self, comm: CommunicatorBase, root: int) -> None:
        self.comm = comm
        self.root = root

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        xs = inputs if self.comm.rank == self.root else None
        return (self.comm.scatter(xs, self.root),)

    def backward(self, inputs: tuple[Array, ...],
                 grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        gathered = self.comm.gather(grad_outputs[0], self.root)
        if gathered is not None:
            return gathered
        return tuple(backend.namespace_of(x).zeros_like(x) for x in inputs)


def _dummy(dtype: object = None) -> Variable:
    var = Variable(empty_like_device(None, config.dtype if dtype is None else dtype))
    var.name = "dummy_var"
    return var


def _as_tuple(out: Variable | tuple[Variable, ...]) -> tuple[Variable, ...]:
    return out if isinstance(out, tuple) else (out,)


def allgather(comm: CommunicatorBase, x: Variable | Array) -> tuple[Variable, ...]:
    """Every rank's ``x``, in rank order; gradients flow back to each rank's ``x``."""
    return _as_tuple(AllGather(comm)(x))


def alltoall(comm: CommunicatorBase, xs: Sequence[Variable | Array]) -> tuple[Variable, ...]:
    """``xs[j]`` to rank ``j``; returns what every rank sent to this one."""
    if len(xs) != comm.size:
        raise ValueError(f"alltoall: the length of xs must be same as communicator size "
                         f"({comm.size}), got {len(xs)}")
    return _as_tuple(AllToAll(comm)(*xs))


def bcast(comm: CommunicatorBase, x: Variable | Array | None, root: int = 0) -> Variable:
    """The root's ``x`` on every rank (the others pass ``None``); the gradients of
    every rank's output are summed into the root's ``x``."""
    out = Bcast(comm, root)(x if comm.rank == root and x is not None else _dummy())
    assert isinstance(out, Variable)
    return out


def gather(comm: CommunicatorBase, x: Variable | Array, root: int = 0
           ) -> tuple[Variable, ...] | Variable:
    """Every rank's ``x`` on the root (a tuple); the other ranks get an empty
    delegate variable to call ``backward()`` on."""
    out = Gather(comm, root)(x)
    if comm.rank == root:
        return _as_tuple(out)
    assert isinstance(out, Variable)
    return mark_delegate(out)


def scatter(comm: CommunicatorBase, xs: Sequence[Variable | Array] | None, root: int = 0) -> Variable:
    """The root's ``xs[i]`` on rank ``i`` (the others pass ``None``)."""
    if comm.rank == root:
        if xs is None:
            raise TypeError("scatter: the root must pass one variable per rank, got None")
        out = Scatter(comm, root)(*xs)
    else:
        out = Scatter(comm, root)(_dummy())
    assert isinstance(out, Variable)
    return out
