"""MPI job: ChainerMN's data-parallel recipe on the tutorial MLP for one epoch.

Rank 0 has the data; ``scatter_dataset`` gives each rank its share; the model starts
from each rank's own seed (the multi-node optimizer broadcasts rank 0's parameters
at the first step); a ``StandardUpdater`` and a ``Trainer`` run one epoch with a
multi-node evaluator.  Each rank writes its final parameters, the indices of the
examples it got, and the evaluator's result.
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np

import fchain
import fchain.links as L
from fchain import datasets, initializers, iterators, optimizers, training
from fchain.training import extensions
from fchain.types import Array

import fchain.distributed as fchainmn
from tests.distributed._common import MLP, make_data, params_of, save

N_TRAIN, N_TEST, BATCH, UNITS, SEED = 400, 120, 20, 30, 7


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--communicator", default="naive")
    args = parser.parse_args()
    comm = fchainmn.create_communicator(args.communicator, timeout=120)
    initializers.set_random_seed(SEED + 1000 * comm.rank)
    model = L.Classifier(MLP(UNITS, 10))
    optimizer = fchainmn.create_multi_node_optimizer(optimizers.MomentumSGD(lr=0.05), comm)
    optimizer.setup(model)

    if comm.rank == 0:
        x, t = make_data(N_TRAIN + N_TEST, seed=3)
        indices = np.arange(N_TRAIN, dtype=np.int32)
        train = datasets.TupleDataset(x[:N_TRAIN], t[:N_TRAIN], indices)
        test = datasets.TupleDataset(x[N_TRAIN:], t[N_TRAIN:])
    else:
        train, test = None, None
    train_part = fchainmn.scatter_dataset(train, comm, shuffle=True, seed=5)
    test_part = fchainmn.scatter_dataset(test, comm)

    def loss(x: Array, t: Array, index: Array) -> fchain.Variable:
        return model(x, t)

    train_iter = iterators.SerialIterator(train_part, BATCH, shuffle=False)
    test_iter = iterators.SerialIterator(test_part, BATCH, repeat=False, shuffle=False)
    updater = training.StandardUpdater(train_iter, optimizer, loss_func=loss)
    trainer = training.Trainer(updater, (1, "epoch"), out=args.out)
    evaluator = fchainmn.create_multi_node_evaluator(extensions.Evaluator(test_iter, model), comm)
    trainer.extend(evaluator, trigger=(1, "epoch"))
    trainer.extend(extensions.LogReport(trigger=(1, "epoch"), filename=None))
    trainer.run()

    result = evaluator()
    save(args.out, f"params_rank{comm.rank}", params_of(model))
    seen = [int(train_part[i][2]) for i in range(len(train_part))]
    with open(os.path.join(args.out, f"rank{comm.rank}.json"), "w") as f:
        json.dump({"indices": seen, "evaluation": result, "iterations": updater.iteration}, f)


if __name__ == "__main__":
    main()
