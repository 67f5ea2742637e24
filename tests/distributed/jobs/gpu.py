"""MPI job: the tutorial MLP's gradients on GPUs averaged by communicator ``--kind``
(``naive`` stages them through host memory, ``pure_nccl`` uses NCCL), each rank on
GPU ``intra_rank % --gpus``; writes the mean gradients (moved to the host)."""

from __future__ import annotations

import argparse

import fchain
import fchain.links as L
from fchain import initializers
from fchain.distributed import create_communicator

from tests.distributed._common import MLP, grads_of, make_data, save

BATCH = 8


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--kind", required=True)
    parser.add_argument("--gpus", type=int, default=1)
    args = parser.parse_args()
    comm = create_communicator(args.kind, timeout=120)
    device = fchain.get_device(f"@cupy:{comm.intra_rank % args.gpus}")
    device.use()
    initializers.set_random_seed(100 + comm.rank)
    model = L.Classifier(MLP(20, 10))
    x, t = make_data(BATCH * comm.size, seed=1)
    model(x[:1], t[:1])
    model.to_device(device)
    comm.bcast_data(model)
    mine = slice(comm.rank * BATCH, (comm.rank + 1) * BATCH)
    model.cleargrads()
    model(device.send(x[mine]), device.send(t[mine])).backward()
    comm.multi_node_mean_grad(model)
    model.to_cpu()
    save(args.out, f"grads_rank{comm.rank}", grads_of(model))


if __name__ == "__main__":
    main()
