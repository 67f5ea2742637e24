"""``MultiNodeChainList``: one model split across ranks (model parallelism).

Each rank builds its own ``MultiNodeChainList`` from the components (links) it runs,
each registered with the ranks it receives its inputs from (``rank_in``) and sends
its outputs to (``rank_out``); ``None`` means the model's own inputs / output.
The forward pass runs the components in order, receiving and sending between them;
the backward pass runs the same communications in reverse, because every component
after the first is joined to the previous one's graph through the delegate
variables of ``fchain.distributed.functions`` (see ``pseudo_connect``).  One call to
``backward()`` on each rank's result (the loss, or a delegate variable on a rank
without output) therefore backpropagates through the whole split model.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.distributed.functions.point_to_point_communication import recv, send
from fchain.distributed.functions.pseudo_connect import pseudo_connect
from fchain.facade.chain_list import ChainList
from fchain.facade.link_base import Link
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["MultiNodeChainList"]

RankSpec = int | list[int] | tuple[int, ...] | None


def _ranks(spec: RankSpec, name: str) -> list[int] | None:
    if spec is None:
        return None
    ranks = [spec] if isinstance(spec, int) else list(spec)
    if not all(isinstance(r, int) and not isinstance(r, bool) for r in ranks):
        raise TypeError(f"MultiNodeChainList.add_link: {name} must be an int, a list of ints or "
                        f"None, got {spec!r}")
    return ranks


class MultiNodeChainList(ChainList[Link]):
    """A chain of components, some of which exchange data with other ranks.

    Args:
        comm: the communicator whose ranks hold the other parts of the model.
    """

    def __init__(self, comm: CommunicatorBase) -> None:
        super().__init__()
        self.__dict__["_comm"] = comm
        self.__dict__["_rank_inouts"] = []

    def add_link(self, link: Link, rank_in: RankSpec = None, rank_out: RankSpec = None) -> None:
        """Append ``link``, which receives its inputs from ``rank_in`` (an int, a list
        of ranks in the order of its arguments, or ``None``: the model's inputs) and
        sends its output to ``rank_out`` (likewise; ``None``: it is the model's
        output; at most one component may be)."""
        ins, outs = _ranks(rank_in, "rank_in"), _ranks(rank_out, "rank_out")
        inouts: list[tuple[list[int] | None, list[int] | None]] = self.__dict__["_rank_inouts"]
        if outs is None and any(o is None for _, o in inouts):
            raise ValueError("MultiNodeChainList cannot have more than one component whose "
                             "rank_out is None")
        super().add_link(link)
        inouts.append((ins, outs))

    def forward(self, *inputs: Variable | Array) -> Variable:
        """Run the components; returns this rank's output (a Variable), or the last
        delegate variable when no component gives the model's output."""
        comm: CommunicatorBase = self.__dict__["_comm"]
        inouts: list[tuple[list[int] | None, list[int] | None]] = self.__dict__["_rank_inouts"]
        to_self: deque[Any] = deque()
        output: Any = None
        delegate: Any = None
        for index, (component, (rank_in, rank_out)) in enumerate(zip(self, inouts, strict=True)):
            if rank_in is None:
                if index == 0 or delegate is None:
                    x = component(*inputs)
                else:  # keep the backward path into the previous component
                    x = component(*pseudo_connect(delegate, *inputs))
            else:
                received = []
                for source in rank_in:
                    if source == comm.rank:
                        value = to_self.popleft()
                        if delegate is not None:
                            value, = pseudo_connect(delegate, value)
                    else:
                        value = recv(comm, source, delegate_variable=delegate)
                    received.append(value)
                    # The next receive waits for this one in the backward pass, so
                    # the previous component's gradient is sent last (no deadlock).
                    delegate = value
                delegate = None
                x = component(*received)
            if rank_out is None:
                output = x
                delegate = x
                continue
            for k, dest in enumerate(rank_out):
                if dest == comm.rank:
                    if delegate is not None:
                        x, = pseudo_connect(delegate, x)
                    to_self.append(x)
                    delegate = x
                else:
                    if k > 0 and delegate is not None:
                        x, = pseudo_connect(delegate, x)
                    delegate = send(x, comm, dest)
        if to_self:
            raise ValueError("MultiNodeChainList: outputs sent to this rank itself were never "
                             "received; make rank_in and rank_out match")
        if output is None or output is delegate:
            result: Variable = delegate
            return result
        connected: Variable
        connected, = pseudo_connect(delegate, output)
        return connected
