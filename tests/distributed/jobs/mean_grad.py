"""MPI job: every communicator kind averages the tutorial MLP's gradients.

Each rank builds the MLP with its own seed (so only ``bcast_data`` can make the
models equal), computes the gradient of the loss of its own slice of one batch and
calls ``multi_node_mean_grad``; it writes the parameters and the mean gradients.
A second model with a link the loss never uses checks ``zero_fill``.
"""

from __future__ import annotations

import argparse

import fchain
import fchain.links as L
from fchain import initializers
from fchain.distributed import create_communicator

from tests.distributed._common import MLP, grads_of, make_data, params_of, save

BATCH = 8


class WithUnused(fchain.Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.used = L.Linear(4, 3)
            self.unused = L.Linear(4, 2)

    def forward(self, x: fchain.Variable) -> fchain.Variable:
        return self.used(x)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--kinds", required=True)
    args = parser.parse_args()
    for kind in args.kinds.split(","):
        comm = create_communicator(kind, timeout=60)
        rank, size = comm.rank, comm.size
        initializers.set_random_seed(100 + rank)
        model = L.Classifier(MLP(20, 10))
        x, t = make_data(BATCH * size, seed=1)
        model(x[:1], t[:1])  # the lazy links take their sizes
        comm.bcast_data(model)
        mine = slice(rank * BATCH, (rank + 1) * BATCH)
        model.cleargrads()
        model(x[mine], t[mine]).backward()
        comm.multi_node_mean_grad(model)
        save(args.out, f"{kind}_params_rank{rank}", params_of(model))
        save(args.out, f"{kind}_grads_rank{rank}", grads_of(model))

        for zero_fill in (True, False):
            small = WithUnused()
            comm.bcast_data(small)
            small.cleargrads()
            fchain.functions.sum(small(fchain.Variable(x[mine, :4] * (rank + 1)))).backward()
            comm.multi_node_mean_grad(small, zero_fill=zero_fill)
            save(args.out, f"{kind}_zero{int(zero_fill)}_rank{rank}", grads_of(small))
        comm.finalize()


if __name__ == "__main__":
    main()
