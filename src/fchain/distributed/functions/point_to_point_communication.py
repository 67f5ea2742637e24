"""Differentiable ``send`` and ``recv`` (model parallelism across ranks).

``send(x, comm, rank)`` sends ``x`` in the forward pass and, in the backward pass,
receives the gradient of ``x`` from ``rank``; ``recv(comm, rank)`` receives in the
forward pass and sends the gradient back in the backward pass.  So the backward of
a model split across ranks runs the communications in reverse, as one process's
backward would run the layers.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.core import backend
from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.distributed.functions._delegate import empty_like_device, mark_delegate
from fchain.facade.function import Function
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["Recv", "Send", "recv", "send"]


class Send(Function):
    """Send the inputs (all but the last, an empty dummy) to ``peer_rank``."""

    def __init__(self, comm: CommunicatorBase, peer_rank: int, peer_tag: int) -> None:
        self.comm = comm
        self.peer_rank = peer_rank
        self.peer_tag = peer_tag

    @property
    def label(self) -> str:
        return f"Send (peer_rank: {self.peer_rank})"

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        xs = inputs[:-1]
        self.comm.send(xs[0] if len(xs) == 1 else xs, self.peer_rank, self.peer_tag)
        return (empty_like_device(inputs[0]),)

    def backward(self, inputs: tuple[Array, ...],
                 grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        grads = self.comm.recv(self.peer_rank, self.peer_tag)
        received = grads if isinstance(grads, tuple) else (grads,)
        return (*received, empty_like_device(inputs[-1]))


class Recv(Function):
    """Receive from ``peer_rank``; the inputs only connect the graph (delegates)."""

    def __init__(self, comm: CommunicatorBase, peer_rank: int, peer_tag: int) -> None:
        self.comm = comm
        self.peer_rank = peer_rank
        self.peer_tag = peer_tag

    @property
    def label(self) -> str:
        return f"Recv (peer_rank: {self.peer_rank})"

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        data = self.comm.recv(self.peer_rank, self.peer_tag)
        return data if isinstance(data, tuple) else (data,)

    def backward(self, inputs: tuple[Array, ...],
                 grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        self.comm.send(tuple(grad_outputs), self.peer_rank, self.peer_tag)
        return tuple(backend.namespace_of(x).zeros_like(x) for x in inputs)


def _check_peer(comm: CommunicatorBase, rank: int, where: str) -> None:
    if rank == comm.rank:
        raise ValueError(f"{where}: rank must be different from communicator rank "
                         f"({comm.rank}), otherwise deadlock occurs")


def send(x: Variable | Sequence[Variable], communicator: CommunicatorBase, rank: int,
         tag: int = 0) -> Variable:
    """Send ``x`` (a Variable or a tuple of them) to ``rank``; returns the delegate
    variable, whose backward receives ``x``'s gradient from ``rank``.

    Returns:
        An empty Variable holding the graph: call ``backward()`` on it (a rank whose
        model part ends with a send), or pass it to the next ``recv`` as
        ``delegate_variable`` or to ``pseudo_connect``.
    """
    _check_peer(communicator, rank, "send")
    xs: list[Variable | Array] = list(x) if isinstance(x, (tuple, list)) else [x]  # type: ignore[list-item]  # one Variable or array
    head = xs[0]
    first = head.array if isinstance(head, Variable) else head
    dummy = Variable(empty_like_device(first))
    out = Send(communicator, rank, tag)(*xs, dummy)
    assert isinstance(out, Variable)
    return mark_delegate(out)


def recv(communicator: CommunicatorBase, rank: int, delegate_variable: Variable | None = None,
         tag: int = 0, force_tuple: bool = False) -> Variable | tuple[Variable, ...]:
    """What ``rank`` sends with ``send``, as a Variable (a tuple when it sent a
    tuple, or with ``force_tuple``); the backward sends the gradient back.

    ``delegate_variable``: the delegate of this rank's previous graph component, so
    that one backward pass covers both (see ``pseudo_connect``).
    """
    _check_peer(communicator, rank, "recv")
    if delegate_variable is None:
        delegate_variable = Variable(empty_like_device(None))
        delegate_variable.name = "dummy_var"
    else:
        delegate_variable.name = "delegate_variable"
    out = Recv(communicator, rank, tag)(delegate_variable)
    if force_tuple and isinstance(out, Variable):
        return (out,)
    return out
