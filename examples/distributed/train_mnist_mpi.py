"""ChainerMN's MNIST example for fchain: data-parallel training of an MLP over MPI.

Run it on two processes (any number works)::

    mpirun -np 2 python examples/distributed/train_mnist_mpi.py

This is ChainerMN's ``examples/chainermn/mnist/train_mnist.py`` with ``chainer``
replaced by ``fchain`` and ``chainermn`` by ``fchainmn``: rank 0 loads the data,
``scatter_dataset`` gives each rank its half, the multi-node optimizer averages the
gradients of the ranks every step, and the multi-node evaluator averages the
validation results.  Differences from ChainerMN's example, on purpose:

* ``--dataset`` defaults to ``fashion-mnist`` (on a machine without network, Debian's
  ``dataset-fashion-mnist`` package is the one installable copy; ``mnist`` also
  works where its files can be found or downloaded);
* ``--communicator`` defaults to ``naive`` (the CPU); ``--gpu`` uses
  ``pure_nccl`` unless another is given, one GPU per process (``intra_rank``);
* ``--seed`` (the same initial weights on every run: rank 0's are broadcast), and
  ``--limit N`` (train and evaluate on the first N examples of each split);
* ``--timeout`` bounds every communication: a rank that dies or hangs makes the
  others stop with an error naming it, instead of hanging the job;
* snapshots of every rank's state each epoch (``multi_node_snapshot``); the same
  command, run again after a crash, resumes from the newest epoch every rank saved
  (``--no-autoload`` to start afresh).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
import fchainmn
from fchain import datasets, iterators, optimizers, training
from fchain.datasets import LabeledImages
from fchain.training import extensions


class MLP(fchain.Chain):
    """ChainerMN's example network: two hidden layers of ``n_units`` with relu."""

    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            # the size of the inputs to each layer will be inferred
            self.l1 = L.Linear(None, n_units)  # n_in -> n_units
            self.l2 = L.Linear(None, n_units)  # n_units -> n_units
            self.l3 = L.Linear(None, n_out)  # n_units -> n_out

    def forward(self, x: fchain.Variable | np.typing.NDArray[np.float32]) -> fchain.Variable:
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="fchainmn example: MNIST / Fashion-MNIST")
    parser.add_argument("--batchsize", "-b", type=int, default=100,
                        help="number of images in each mini-batch, per process")
    parser.add_argument("--communicator", type=str, default=None,
                        help="type of communicator (default: naive, or pure_nccl with --gpu)")
    parser.add_argument("--epoch", "-e", type=int, default=20,
                        help="number of sweeps over the dataset to train")
    parser.add_argument("--gpu", "-g", action="store_true", help="use one GPU per process")
    parser.add_argument("--out", "-o", default="result", help="directory to output the result")
    parser.add_argument("--unit", "-u", type=int, default=1000, help="number of units")
    parser.add_argument("--dataset", choices=("mnist", "fashion-mnist"), default="fashion-mnist")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N examples of the training and test sets")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds any communication may wait for the other processes")
    parser.add_argument("--no-autoload", dest="autoload", action="store_false",
                        help="do not resume from the snapshots in --out")
    parser.add_argument("--noprogress", dest="progress", action="store_false",
                        help="no progress bar")
    return parser.parse_args(argv)


def load(name: str, limit: int | None) -> tuple[LabeledImages, LabeledImages]:
    """The (train, test) datasets, cut to ``limit`` examples each when given."""
    train, test = datasets.get_mnist() if name == "mnist" else datasets.get_fashion_mnist()
    if limit is None:
        return train, test

    def head(dataset: LabeledImages) -> LabeledImages:
        images, labels = (np.asarray(column) for column in dataset.datasets)
        return datasets.TupleDataset(images[:limit], labels[:limit])

    return head(train), head(test)


def main(argv: Sequence[str] | None = None) -> float | None:
    """Train; returns the final validation accuracy on rank 0 (``None`` elsewhere)."""
    args = parse_args(argv)
    name = args.communicator or ("pure_nccl" if args.gpu else "naive")
    comm = fchainmn.create_communicator(name, timeout=args.timeout)
    device = fchain.get_device(comm.intra_rank if args.gpu else "@numpy")
    device.use()

    if comm.rank == 0:
        print("==========================================")
        print(f"Num process (COMM_WORLD): {comm.size}")
        print(f"Using {name} communicator" + (" and GPUs" if args.gpu else ""))
        print(f"Dataset: {args.dataset}")
        print(f"Num unit: {args.unit}")
        print(f"Num Minibatch-size: {args.batchsize}")
        print(f"Num epoch: {args.epoch}")
        print("==========================================")
        sys.stdout.flush()

    fchain.initializers.set_random_seed(args.seed)
    model = L.Classifier(MLP(args.unit, 10))
    model.to_device(device)

    # A multi-node optimizer: the mean gradient of all processes, every step.
    optimizer = fchainmn.create_multi_node_optimizer(optimizers.Adam(), comm)
    optimizer.setup(model)

    # Only rank 0 loads the dataset; each process gets its share.
    if comm.rank == 0:
        train, test = load(args.dataset, args.limit)
    else:
        train, test = None, None
    train_part = fchainmn.scatter_dataset(train, comm, shuffle=True, seed=args.seed)
    test_part = fchainmn.scatter_dataset(test, comm, shuffle=True, seed=args.seed)

    train_iter = iterators.SerialIterator(train_part, args.batchsize, seed=args.seed + comm.rank)
    test_iter = iterators.SerialIterator(test_part, args.batchsize, repeat=False, shuffle=False)

    updater = training.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, "epoch"), out=args.out)

    # A multi-node evaluator: the mean over every process's validation batches.
    evaluator = extensions.Evaluator(test_iter, model, device=device)
    evaluator = fchainmn.create_multi_node_evaluator(evaluator, comm)
    trainer.extend(evaluator)

    # Each process saves its own state every epoch and resumes from it.
    snapshot = extensions.snapshot(filename="snapshot_epoch_{.updater.epoch}", n_retains=2,
                                   autoload=args.autoload)
    trainer.extend(fchainmn.multi_node_snapshot(comm, snapshot, [[r] for r in range(comm.size)]),
                   trigger=(1, "epoch"))

    # Reports only on one process (the others would repeat them).
    if comm.rank == 0:
        trainer.extend(extensions.LogReport())
        trainer.extend(extensions.PrintReport(
            ["epoch", "main/loss", "validation/main/loss", "main/accuracy",
             "validation/main/accuracy", "elapsed_time"]))
        if args.progress:
            trainer.extend(extensions.ProgressBar())

    trainer.run()
    if comm.rank != 0:
        return None
    log = trainer.get_extension("LogReport")
    final = log.log[-1] if isinstance(log, extensions.LogReport) and log.log else {}
    accuracy = final.get("validation/main/accuracy")
    if accuracy is not None:
        print(f"Final validation accuracy: {accuracy:.4f}")
    return None if accuracy is None else float(accuracy)


if __name__ == "__main__":
    main()
