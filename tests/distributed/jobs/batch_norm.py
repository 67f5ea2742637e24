"""MPI job: ``MultiNodeBatchNormalization`` on each rank's part of one batch.

Every rank normalizes its part with the statistics of the whole batch, computes
``sum(y * w)`` on its part and backpropagates; it writes ``y``, the gradients of
``x``, ``gamma`` and ``beta`` and the running statistics.  ``create_mnbn_model``
converts a chain holding an ``L.BatchNormalization``.
"""

from __future__ import annotations

import argparse

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain.distributed import create_communicator
from fchain.distributed.links import MultiNodeBatchNormalization, create_mnbn_model

from tests.distributed._common import save

PART, CHANNELS = 4, 3
GAMMA, BETA = [1.0, 2.0, 0.5], [0.0, -1.0, 3.0]


def batch(size: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(8)
    x = rng.standard_normal((PART * size, CHANNELS, 2, 2)) * 3 + 1
    w = rng.standard_normal(x.shape)
    return x.astype(np.float32), w.astype(np.float32)


class Net(fchain.Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.bn = L.BatchNormalization(CHANNELS)

    def forward(self, x: fchain.Variable) -> fchain.Variable:
        return self.bn(x)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    comm = create_communicator("naive", timeout=60)
    r = comm.rank
    x_all, w_all = batch(comm.size)
    mine = slice(r * PART, (r + 1) * PART)
    bn = MultiNodeBatchNormalization(CHANNELS, comm, decay=0.5)
    gamma, beta = bn.gamma, bn.beta
    assert gamma is not None and gamma.array is not None and beta is not None and beta.array is not None
    gamma.array[...] = GAMMA
    beta.array[...] = BETA
    x = fchain.Variable(x_all[mine])
    y = bn(x)
    F.sum(y * w_all[mine]).backward()
    assert x.grad is not None and gamma.grad is not None and beta.grad is not None
    save(args.out, f"bn_rank{r}", {"y": y.array, "gx": x.grad, "ggamma": gamma.grad,
                                   "gbeta": beta.grad, "avg_mean": bn.avg_mean,
                                   "avg_var": bn.avg_var})
    with fchain.using_config("train", False):  # test mode: the running statistics
        save(args.out, f"bn_test_rank{r}", {"y": bn(x_all[mine]).array})

    net = create_mnbn_model(Net(), comm)
    assert isinstance(net.bn, MultiNodeBatchNormalization), type(net.bn)
    converted = net(fchain.Variable(x_all[mine]))
    save(args.out, f"converted_rank{r}", {"y": converted.array})


if __name__ == "__main__":
    main()
