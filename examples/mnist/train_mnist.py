"""Train the seed tutorial's multi-layer perceptron on MNIST or Fashion-MNIST.

This is Chainer's ``examples/mnist/train_mnist.py`` written for fchain, with the
tutorial's model (section "Example: Multi-layer Perceptron on MNIST"): three
``L.Linear`` layers with relu, ``L.Classifier``, ``optimizers.SGD()``, a Trainer with
Evaluator, LogReport, PrintReport, ProgressBar and snapshots.

Run ``python examples/mnist/train_mnist.py --help``.  Differences from Chainer's
example, on purpose:

* ``--unit`` defaults to 100, the tutorial's MLP (Chainer's example uses 1000);
* ``--dataset mnist|fashion-mnist`` (default ``fashion-mnist``: on a machine without
  network, Debian's ``dataset-fashion-mnist`` package is the one installable copy);
* ``--frequency`` defaults to 1: a snapshot every epoch, the newest two kept
  (``-1`` snapshots once, at the end, as Chainer's default does);
* ``--limit N`` trains and evaluates on the first N examples of each split;
* ``--seed`` seeds the weight initialization and the shuffling;
* loss and accuracy are plotted to ``loss.png``/``accuracy.png`` in ``--out`` when
  matplotlib is installed (the ``fchain[plot]`` extra); ``--noplot`` turns it off.

Resume an interrupted run with ``--resume result/snapshot_iter_N``, or run with
``--autoload`` (as in Chainer's example): the same command, run again after a
crash or preemption, continues from the newest snapshot in ``--out``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import IO

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import datasets, iterators, optimizers, serializers, training
from fchain.dataset import get_dataset_root
from fchain.datasets import LabeledImages
from fchain.datasets._fetch import system_data_dirs
from fchain.training import extensions

__all__ = ["MLP", "build_trainer", "data_available", "device_spec", "load_datasets", "main",
           "parse_args"]

DATASETS = ("mnist", "fashion-mnist")

REPORT_ENTRIES = [
    "epoch",
    "main/loss",
    "validation/main/loss",
    "main/accuracy",
    "validation/main/accuracy",
    "elapsed_time",
]


class MLP(fchain.Chain):
    """The tutorial's network: 784 -> n_units -> n_units -> n_out, relu between."""

    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            # the size of the inputs to each layer is inferred on the first call
            self.l1 = L.Linear(None, n_units)  # n_in -> n_units
            self.l2 = L.Linear(None, n_units)  # n_units -> n_units
            self.l3 = L.Linear(None, n_out)  # n_units -> n_out

    def forward(self, x: fchain.Variable | np.typing.NDArray[np.float32]) -> fchain.Variable:
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Chainer's flags for this example, plus ``--dataset``, ``--limit`` and ``--seed``."""
    parser = argparse.ArgumentParser(
        description="fchain example: MNIST / Fashion-MNIST multi-layer perceptron")
    parser.add_argument("--batchsize", "-b", type=int, default=100,
                        help="number of images in each mini-batch")
    parser.add_argument("--epoch", "-e", type=int, default=20,
                        help="number of sweeps over the dataset to train")
    parser.add_argument("--frequency", "-f", type=int, default=1,
                        help="snapshot every this many epochs (-1: only at the end)")
    parser.add_argument("--device", "-d", type=str, default="@numpy",
                        help="device specifier: '@numpy', '@cupy:0', or an int "
                             "(negative: CPU, as Chainer's legacy GPU ids)")
    parser.add_argument("--out", "-o", default="result",
                        help="directory to write the log and snapshots to")
    parser.add_argument("--resume", "-r", type=str, default=None,
                        help="resume the training from this snapshot")
    parser.add_argument("--autoload", action="store_true",
                        help="automatically load the newest snapshot in --out, in case of "
                             "preemption or another temporary failure")
    parser.add_argument("--unit", "-u", type=int, default=100,
                        help="number of units in each hidden layer (the tutorial uses 100)")
    parser.add_argument("--dataset", choices=DATASETS, default="fashion-mnist",
                        help="which data set to train on")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N examples of the training and test sets")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed for weight initialization and shuffling")
    parser.add_argument("--check-data", action="store_true",
                        help="only check that the data set is on this machine (exit status 0) "
                             "or not (1), without loading or downloading it")
    parser.add_argument("--noplot", dest="plot", action="store_false",
                        help="do not plot loss.png and accuracy.png")
    group = parser.add_argument_group("deprecated arguments")
    group.add_argument("--gpu", "-g", dest="gpu", type=int, nargs="?", const=0, default=None,
                       help="GPU ID (a negative value means the CPU); use --device")
    args = parser.parse_args(argv)
    for name in ("batchsize", "epoch", "unit"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive, got {getattr(args, name)}")
    if args.limit is not None and args.limit <= 0:
        parser.error(f"--limit must be positive, got {args.limit}")
    if args.frequency == 0 or args.frequency < -1:
        parser.error(f"--frequency must be positive or -1, got {args.frequency}")
    return args


def device_spec(args: argparse.Namespace) -> str | int:
    """What ``fchain.get_device`` gets: ``--gpu`` wins when given; an integer
    ``--device`` is a legacy id (-1 is the CPU)."""
    if args.gpu is not None:
        return int(args.gpu)
    spec = str(args.device)
    try:
        return int(spec)
    except ValueError:
        return spec


def load_datasets(name: str, limit: int | None = None) -> tuple[LabeledImages, LabeledImages]:
    """The (train, test) pair of ``name``, vectorized to 784 floats in [0, 1], each cut
    to its first ``limit`` examples when ``limit`` is given."""
    if name == "mnist":
        train, test = datasets.get_mnist()
    elif name == "fashion-mnist":
        train, test = datasets.get_fashion_mnist()
    else:
        raise ValueError(f"load_datasets: unknown data set {name!r}; expected one of {DATASETS}")
    if limit is not None:
        train = _head(train, limit)
        test = _head(test, limit)
    return train, test


def _head(dataset: LabeledImages, n: int) -> LabeledImages:
    images, labels = (np.asarray(column) for column in dataset.datasets)
    return datasets.TupleDataset(images[:n], labels[:n])


def data_available(name: str) -> bool:
    """Whether ``name``'s files are on this machine (a decoded cache under the dataset
    root, or the original files in the cache or a system data folder such as
    ``/usr/share/datasets/fashion-mnist``), so loading needs no download.  Presence
    only: the loader verifies checksums."""
    source = datasets.mnist.MNIST_SOURCE if name == "mnist" else datasets.mnist.FASHION_MNIST_SOURCE
    cache = os.path.join(get_dataset_root(), source.subdir)
    if all(os.path.isfile(os.path.join(cache, f"{split}.npz")) for split in ("train", "test")):
        return True
    folders = [cache, *system_data_dirs(source)]
    return all(
        any(os.path.isfile(os.path.join(folder, name)) for folder in folders
            for name in (spec.name, spec.raw_name) if name)
        for spec in source.files
    )


def build_trainer(args: argparse.Namespace, train: LabeledImages, test: LabeledImages,
                  out: IO[str] | None = None) -> training.Trainer:
    """The tutorial's trainer for ``args``; reports go to ``out`` (stdout by default)."""
    device = fchain.get_device(device_spec(args))
    device.use()
    if args.seed is not None:
        np.random.seed(args.seed)  # the initializers draw from numpy's global generator

    model = L.Classifier(MLP(args.unit, 10))
    model.to_device(device)
    optimizer = optimizers.SGD()
    optimizer.setup(model)

    # With --seed the iterator owns its generator, which snapshots save, so a resumed
    # run shuffles exactly as an uninterrupted one.
    train_iter = iterators.SerialIterator(train, args.batchsize, shuffle=True, seed=args.seed)
    test_iter = iterators.SerialIterator(test, args.batchsize, repeat=False, shuffle=False)

    updater = training.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, "epoch"), out=args.out)
    trainer.extend(extensions.Evaluator(test_iter, model, device=device))
    frequency = args.epoch if args.frequency == -1 else args.frequency
    trainer.extend(extensions.snapshot(n_retains=2, autoload=args.autoload),
                   trigger=(frequency, "epoch"))
    trainer.extend(extensions.LogReport())
    if args.plot and extensions.PlotReport.available():
        trainer.extend(extensions.PlotReport(["main/loss", "validation/main/loss"], "epoch",
                                             filename="loss.png"))
        trainer.extend(extensions.PlotReport(["main/accuracy", "validation/main/accuracy"], "epoch",
                                             filename="accuracy.png"))
    trainer.extend(extensions.PrintReport(REPORT_ENTRIES, out=out))
    trainer.extend(extensions.ProgressBar(out=out))
    if args.resume is not None:
        serializers.load_npz(args.resume, trainer)
    return trainer


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> training.Trainer | None:
    """Parse ``argv``, load the data, train; returns the finished trainer (``None``
    after ``--check-data``, which exits with status 1 when the data is missing)."""
    args = parse_args(argv)
    if args.check_data:
        if not data_available(args.dataset):
            sys.exit(1)
        return None
    stream = out if out is not None else sys.stdout
    device = fchain.get_device(device_spec(args))
    print(f"Device: {device}", file=stream)
    print(f"Dataset: {args.dataset}", file=stream)
    print(f"# unit: {args.unit}", file=stream)
    print(f"# Minibatch-size: {args.batchsize}", file=stream)
    print(f"# epoch: {args.epoch}", file=stream)
    print("", file=stream)
    train, test = load_datasets(args.dataset, args.limit)
    trainer = build_trainer(args, train, test, out)
    start = time.perf_counter()
    trainer.run()
    wall = time.perf_counter() - start
    log = trainer.get_extension("LogReport")
    final = log.log[-1] if isinstance(log, extensions.LogReport) and log.log else {}
    accuracy = final.get("validation/main/accuracy")
    print(f"Training took {wall:.1f} s ({len(train)} training examples, {args.epoch} epochs)",
          file=stream)
    if accuracy is not None:
        print(f"Final validation accuracy: {accuracy:.4f}", file=stream)
    return trainer


if __name__ == "__main__":
    main()
