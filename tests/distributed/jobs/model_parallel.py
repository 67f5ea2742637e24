"""MPI job: one network split across ranks with ``MultiNodeChainList``.

The network is ``x -> A -> B -> C -> D -> y`` with ``loss = sum(y * w)``.  On two
ranks: A and D on rank 0, B and C on rank 1 (B sends to its own rank).  On three:
A and D on rank 0, B on rank 1, C on rank 2.  Every rank builds all four stages from the same seed and
keeps its own; it writes the output (rank 0) and its stages' gradients.
"""

from __future__ import annotations

import argparse

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import initializers
from fchain.distributed import MultiNodeChainList, create_communicator

from tests.distributed._common import grads_of, save

SIZES = (6, 5, 4, 3, 2)


class Stage(fchain.Chain):
    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.fc = L.Linear(n_in, n_out)

    def forward(self, x: fchain.Variable) -> fchain.Variable:
        return F.tanh(self.fc(x))


def stages() -> list[Stage]:
    initializers.set_random_seed(11)
    return [Stage(a, b) for a, b in zip(SIZES, SIZES[1:])]


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    return (rng.standard_normal((7, SIZES[0])).astype(np.float32),
            rng.standard_normal((7, SIZES[-1])).astype(np.float32))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    comm = create_communicator("naive", timeout=60)
    a, b, c, d = stages()
    model = MultiNodeChainList(comm)
    plan: dict[int, list[tuple[Stage, int | None, int | None]]]
    if comm.size == 2:  # B hands its output to C on the same rank
        plan = {0: [(a, None, 1), (d, 1, None)], 1: [(b, 0, 1), (c, 1, 0)]}
    else:
        plan = {0: [(a, None, 1), (d, 2, None)], 1: [(b, 0, 2)], 2: [(c, 1, 0)]}
    for link, rank_in, rank_out in plan[comm.rank]:
        model.add_link(link, rank_in=rank_in, rank_out=rank_out)
    x, w = data()
    if comm.rank == 0:
        y = model(x)
        F.sum(y * w).backward()
        save(args.out, "output", {"y": y.array})
    else:
        delegate = model()
        delegate.backward()
    save(args.out, f"grads_rank{comm.rank}", grads_of(model))


if __name__ == "__main__":
    main()
