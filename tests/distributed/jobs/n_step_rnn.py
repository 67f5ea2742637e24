"""MPI job: an encoder on rank 0 hands its final states to a decoder on rank 1
through ``create_multi_node_n_step_rnn``; rank 1's loss backpropagates into rank
0's encoder.  ``--link fake`` uses a small link with the n-step RNN interface
(``n_cells`` states in, states and outputs out); ``--link f_lstm`` a one-layer
LSTM link over ``F.n_step_lstm`` (fchain's fused op); ``--link lstm`` uses
``L.NStepLSTM``.  Writes each rank's gradients and rank 1's loss."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import initializers
from fchain.distributed import create_communicator, create_multi_node_n_step_rnn

from tests.distributed._common import grads_of, save

N_IN, N_HIDDEN = 3, 4


class FakeNStep(fchain.Chain):
    """The n-step RNN interface with two states: ``(hx, cx, xs) -> (hy, cy, ys)``."""

    n_cells = 2

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.inp = L.Linear(N_IN, N_HIDDEN)
            self.out = L.Linear(N_HIDDEN, N_HIDDEN)

    def forward(self, hx: Any, cx: Any, xs: list[fchain.Variable]) -> tuple[Any, ...]:
        mean = F.mean(F.stack([F.mean(self.inp(x), axis=0) for x in xs]), axis=0)
        # every state feeds the outputs: a received state whose gradient the loss
        # never reaches would leave its sender waiting for that gradient
        h = F.tanh(mean if hx is None else mean + hx + 0.5 * cx)
        c = h if cx is None else 0.5 * cx + h
        ys = [self.out(F.tanh(self.inp(x) + h)) for x in xs]
        return h, c, ys


class FunctionNStepLSTM(fchain.Chain):
    """A one-layer ``L.NStepLSTM`` look-alike over ``F.n_step_lstm``: sequences in
    (sorted by decreasing length), ``(hy, cy, ys)`` out, zero states for ``None``."""

    n_cells = 2

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            for i in range(8):
                setattr(self, f"w{i}", fchain.Parameter(
                    initializers.Normal(0.5), (N_HIDDEN, N_IN if i < 4 else N_HIDDEN)))
                setattr(self, f"b{i}", fchain.Parameter(initializers.Normal(0.1), (N_HIDDEN,)))

    def forward(self, hx: Any, cx: Any, xs: list[fchain.Variable]) -> tuple[Any, ...]:
        lengths = [len(x) for x in xs]
        if lengths != sorted(lengths, reverse=True):
            raise ValueError(f"FunctionNStepLSTM: sequences must be sorted by decreasing length, "
                             f"got lengths {lengths}")
        zeros = np.zeros((1, len(xs), N_HIDDEN), np.float32)
        ws = [[getattr(self, f"w{i}") for i in range(8)]]
        bs = [[getattr(self, f"b{i}") for i in range(8)]]
        hy, cy, steps = F.n_step_lstm(1, 0.0, zeros if hx is None else hx, zeros if cx is None else cx,
                                      ws, bs, F.transpose_sequence(xs))
        return hy, cy, list(F.transpose_sequence(steps))


def links(kind: str) -> tuple[fchain.Link, fchain.Link]:
    initializers.set_random_seed(5)
    if kind == "fake":
        return FakeNStep(), FakeNStep()
    if kind == "f_lstm":
        return FunctionNStepLSTM(), FunctionNStepLSTM()
    return L.NStepLSTM(1, N_IN, N_HIDDEN, 0.0), L.NStepLSTM(1, N_IN, N_HIDDEN, 0.0)


def sequences() -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(2)
    return ([rng.standard_normal((n, N_IN)).astype(np.float32) for n in (4, 3, 2)],
            [rng.standard_normal((n, N_IN)).astype(np.float32) for n in (3, 2, 1)])


def loss_of(hy: Any, ys: list[Any]) -> fchain.Variable:
    return F.sum(hy * hy) + F.sum(F.stack([F.sum(y) for y in ys]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--link", choices=["fake", "f_lstm", "lstm"], default="fake")
    args = parser.parse_args()
    comm = create_communicator("naive", timeout=60)
    encoder, decoder = links(args.link)
    source, target = sequences()
    if comm.rank == 0:
        rnn = create_multi_node_n_step_rnn(encoder, comm, rank_in=None, rank_out=1)
        *_, delegate = rnn([fchain.Variable(x) for x in source])
        delegate.backward()
    else:
        rnn = create_multi_node_n_step_rnn(decoder, comm, rank_in=0, rank_out=None)
        hy, _, ys, _ = rnn([fchain.Variable(x) for x in target])
        loss = loss_of(hy, ys)
        loss.backward()
        save(args.out, "loss", {"loss": loss.array})
    save(args.out, f"grads_rank{comm.rank}", grads_of(rnn))


if __name__ == "__main__":
    main()
