"""Train a small convolutional network (conv-BN-ReLU-pool) on Fashion-MNIST.

The structure and flags are those of Chainer's ``examples/mnist/train_mnist.py``
(``--batchsize``, ``--epoch``, ``--frequency``, ``--device``, ``--out``, ``--resume``,
``--autoload``, the deprecated ``--gpu``) with ``examples/mnist``'s additions
(``--dataset``, ``--limit``, ``--seed``, ``--check-data``, ``--noplot``); the model is
``examples/cnn/model.py``'s ``FashionCNN``, trained by Adam (``--learnrate`` is its
``alpha``, Chainer's MNIST example's optimizer) under a Trainer with Evaluator,
LogReport, PrintReport, ProgressBar and a snapshot every epoch (the newest two kept).

From the repository root::

    python -m examples.cnn.train_fashion_cnn            # 10 epochs: 91.6-91.9% measured
    python examples/cnn/train_fashion_cnn.py --epoch 1  # the same, as a file

On a shared CPU, ``OMP_NUM_THREADS=1`` usually runs faster than numpy's default
threads, which wait on each other when the cores are busy.
"""

from __future__ import annotations

import os
import sys

if not __package__:  # run as a file: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from typing import IO  # noqa: E402

import numpy as np  # noqa: E402

import fchain  # noqa: E402
import fchain.links as L  # noqa: E402
from examples.cnn.model import FashionCNN  # noqa: E402
from examples.mnist.train_mnist import DATASETS, REPORT_ENTRIES, data_available, device_spec  # noqa: E402
from fchain import datasets, iterators, optimizers, serializers, training  # noqa: E402
from fchain.datasets import LabeledImages  # noqa: E402
from fchain.training import extensions  # noqa: E402

__all__ = ["build_trainer", "load_datasets", "main", "parse_args"]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Chainer's MNIST flags, ``examples/mnist``'s additions and the model's sizes."""
    parser = argparse.ArgumentParser(description="fchain example: Fashion-MNIST convolutional network")
    parser.add_argument("--batchsize", "-b", type=int, default=100,
                        help="number of images in each mini-batch")
    parser.add_argument("--epoch", "-e", type=int, default=10,
                        help="number of sweeps over the dataset to train")
    parser.add_argument("--learnrate", "-l", type=float, default=0.001,
                        help="Adam's step size (alpha)")
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
                        help="automatically load the newest snapshot in --out")
    parser.add_argument("--channels", "-c", type=int, nargs=2, default=[16, 32], metavar=("C1", "C2"),
                        help="output channels of the two convolution blocks")
    parser.add_argument("--unit", "-u", type=int, default=128,
                        help="number of hidden units of the classifier")
    parser.add_argument("--dataset", choices=DATASETS, default="fashion-mnist",
                        help="which data set to train on")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N examples of the training and test sets")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed for weight initialization, dropout and shuffling")
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
    if min(args.channels) <= 0:
        parser.error(f"--channels must be positive, got {args.channels}")
    if args.learnrate <= 0:
        parser.error(f"--learnrate must be positive, got {args.learnrate}")
    if args.limit is not None and args.limit <= 0:
        parser.error(f"--limit must be positive, got {args.limit}")
    if args.frequency == 0 or args.frequency < -1:
        parser.error(f"--frequency must be positive or -1, got {args.frequency}")
    return args


def load_datasets(name: str, limit: int | None = None) -> tuple[LabeledImages, LabeledImages]:
    """The (train, test) pair of ``name`` as 1x28x28 images in [0, 1], each cut to its
    first ``limit`` examples when ``limit`` is given."""
    if name == "mnist":
        train, test = datasets.get_mnist(ndim=3)
    elif name == "fashion-mnist":
        train, test = datasets.get_fashion_mnist(ndim=3)
    else:
        raise ValueError(f"load_datasets: unknown data set {name!r}; expected one of {DATASETS}")
    if limit is not None:
        train, test = _head(train, limit), _head(test, limit)
    return train, test


def _head(dataset: LabeledImages, n: int) -> LabeledImages:
    images, labels = (np.asarray(column) for column in dataset.datasets)
    return datasets.TupleDataset(images[:n], labels[:n])


def build_trainer(args: argparse.Namespace, train: LabeledImages, test: LabeledImages,
                  out: IO[str] | None = None) -> training.Trainer:
    """The trainer for ``args``; reports go to ``out`` (stdout by default)."""
    device = fchain.get_device(device_spec(args))
    device.use()
    if args.seed is not None:
        np.random.seed(args.seed)  # the initializers draw from numpy's global generator
        fchain.graph.random.seed(args.seed)  # dropout's masks come from fchain's generator

    model = L.Classifier(FashionCNN(10, (args.channels[0], args.channels[1]), args.unit))
    model.to_device(device)
    optimizer = optimizers.Adam(alpha=args.learnrate)
    optimizer.setup(model)

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
    print(f"Device: {fchain.get_device(device_spec(args))}", file=stream)
    print(f"Dataset: {args.dataset}", file=stream)
    print(f"# channels: {args.channels[0]}, {args.channels[1]}; # unit: {args.unit}", file=stream)
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
