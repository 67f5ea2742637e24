"""``create_multi_node_n_step_rnn``: a stacked RNN link (``L.NStepLSTM``, ...)
whose initial states come from another rank and whose final states go to another
rank (an encoder on one rank, its decoder on the next).

It is written against the n-step RNN interface (a link with ``n_cells``, called as
``link(*cells, xs)`` and returning ``(*cells, ys)``), so any such link fits.
"""

from __future__ import annotations

from typing import Any

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.distributed.functions.point_to_point_communication import recv, send
from fchain.distributed.functions.pseudo_connect import pseudo_connect
from fchain.facade.chain import Chain
from fchain.facade.link_base import Link

__all__ = ["MultiNodeNStepRNN", "create_multi_node_n_step_rnn"]


class MultiNodeNStepRNN(Chain):
    """See ``create_multi_node_n_step_rnn``."""

    def __init__(self, link: Link, communicator: CommunicatorBase, rank_in: int | None,
                 rank_out: int | None) -> None:
        n_cells = getattr(link, "n_cells", None)
        if not isinstance(n_cells, int):
            raise ValueError("link must be NStepRNN and its inherited link (a link with n_cells)")
        super().__init__()
        with self.init_scope():
            self.actual_rnn = link
        self.__dict__["communicator"] = communicator
        self.rank_in = rank_in
        self.rank_out = rank_out
        self.n_cells = n_cells

    # Any: the actual link's outputs, typed by that link: states (Variable), the
    # outputs ys (a list of Variables) and the delegate (Variable or None)
    def forward(self, *inputs: object) -> tuple[Any, ...]:
        """``(*cells, ys, delegate_variable)``: the link's outputs and the delegate of
        the sends (``None`` without ``rank_out``); start the backward pass from the
        delegate on a rank that sends."""
        comm: CommunicatorBase = self.__dict__["communicator"]
        cells: list[Any] = [None] * self.n_cells
        if self.rank_in is not None:
            cells = [recv(comm, self.rank_in) for _ in range(self.n_cells)]
        rnn: Any = self.actual_rnn
        outputs: tuple[Any, ...] = tuple(rnn(*cells, *inputs))
        delegate = None
        if self.rank_out is not None:
            states = outputs[:-1]
            state = states[0]
            for i in range(self.n_cells):
                delegate = send(state, comm, self.rank_out)
                if i + 1 < self.n_cells:
                    state, = pseudo_connect(delegate, states[i + 1])
        return (*outputs, delegate)


def create_multi_node_n_step_rnn(actual_link: Link, communicator: CommunicatorBase,
                                 rank_in: int | None = None,
                                 rank_out: int | None = None) -> MultiNodeNStepRNN:
    """``actual_link`` (an n-step RNN link) receiving its initial hidden states from
    ``rank_in`` and sending its final ones to ``rank_out`` (``None``: neither)."""
    return MultiNodeNStepRNN(actual_link, communicator, rank_in, rank_out)
