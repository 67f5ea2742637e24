"""Train Chainer's CIFAR example models on CIFAR-10 or CIFAR-100.

Chainer's ``examples/cifar/train_cifar.py`` for fchain: ``L.Classifier`` around the
model, MomentumSGD (``--learnrate``, default 0.05) with weight decay 5e-4, the
learning rate halved every 25 epochs, a Trainer with Evaluator, DumpGraph
(``cg.dot``), snapshots, LogReport, PrintReport and ProgressBar, optional early
stopping (``--early-stopping validation/main/loss``).  Chainer's flags and defaults
(``--dataset cifar10``, ``--batchsize 64``, ``--epoch 300``, ``--device -1``,
``--out``, ``--resume``, ``--gpu``); differences, on purpose:

* ``--model vgg|resnet50``: Chainer's VGG (the default, the only model of Chainer's
  example) or ``models/resnet.py``'s ResNet-50 for 32x32 images;
* snapshots are named ``snapshot_epoch_N`` (Chainer's example writes
  ``snaphot_epoch_N``), are not compressed, and only the newest two are kept (each
  VGG snapshot is about 120 MB with the momentum; Chainer keeps all 300);
  ``--autoload`` resumes from the newest in ``--out``;
* ``--limit N`` trains and evaluates on the first N images of each split, ``--seed``
  seeds the initialization, dropout and shuffling.

The data: fchain reads the *binary* CIFAR archives (``cifar-10-binary.tar.gz``,
``cifar-100-binary.tar.gz``; it never unpickles), from the dataset root
(``~/.fchain/dataset/pfnet/chainer/cifar/``) or a system data folder, or downloads them.

From the repository root: ``python -m examples.cifar.train_cifar --help`` (or
``python examples/cifar/train_cifar.py``).  Without a GPU, an epoch of VGG on
CIFAR-10 takes hours; ``--limit`` makes a short check.
"""

from __future__ import annotations

import os
import sys

if not __package__:  # run as a file: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import argparse  # noqa: E402
import functools  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from typing import IO  # noqa: E402

import numpy as np  # noqa: E402

import fchain  # noqa: E402
import fchain.links as L  # noqa: E402
from examples.cifar.models.resnet import ResNet50  # noqa: E402
from examples.cifar.models.vgg import VGG  # noqa: E402
from examples.mnist.train_mnist import REPORT_ENTRIES, device_spec  # noqa: E402
from fchain import datasets, iterators, optimizer_hooks, optimizers, serializers, training  # noqa: E402
from fchain.datasets import LabeledImages  # noqa: E402
from fchain.training import extensions, triggers  # noqa: E402

__all__ = ["DATASETS", "MODELS", "build_model", "build_trainer", "load_datasets", "main", "parse_args"]

DATASETS = {"cifar10": 10, "cifar100": 100}  # name -> number of classes
MODELS = ("vgg", "resnet50")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Chainer's flags for this example, plus ``--model``, ``--limit``, ``--seed`` and
    ``--autoload``."""
    parser = argparse.ArgumentParser(description="fchain example: CIFAR-10/100")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="cifar10",
                        help="the data set: cifar10 or cifar100")
    parser.add_argument("--model", "-m", choices=MODELS, default="vgg",
                        help="the network: Chainer's VGG or a ResNet-50 for 32x32 images")
    parser.add_argument("--batchsize", "-b", type=int, default=64,
                        help="number of images in each mini-batch")
    parser.add_argument("--learnrate", "-l", type=float, default=0.05,
                        help="learning rate of MomentumSGD")
    parser.add_argument("--epoch", "-e", type=int, default=300,
                        help="number of sweeps over the dataset to train")
    parser.add_argument("--device", "-d", type=str, default="-1",
                        help="device specifier: '@numpy', '@cupy:0', or an int "
                             "(negative: the CPU, as Chainer's legacy GPU ids)")
    parser.add_argument("--out", "-o", default="result",
                        help="directory to write the log, graph and snapshots to")
    parser.add_argument("--resume", "-r", default="",
                        help="resume the training from this snapshot")
    parser.add_argument("--autoload", action="store_true",
                        help="automatically load the newest snapshot in --out")
    parser.add_argument("--early-stopping", type=str, default=None,
                        help="metric to watch for early stopping (e.g. validation/main/loss)")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N images of the training and test sets")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed for weight initialization, dropout and shuffling")
    group = parser.add_argument_group("deprecated arguments")
    group.add_argument("--gpu", "-g", dest="gpu", type=int, nargs="?", const=0, default=None,
                       help="GPU ID (a negative value means the CPU); use --device")
    args = parser.parse_args(argv)
    for name in ("batchsize", "epoch"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive, got {getattr(args, name)}")
    if args.learnrate <= 0:
        parser.error(f"--learnrate must be positive, got {args.learnrate}")
    if args.limit is not None and args.limit <= 0:
        parser.error(f"--limit must be positive, got {args.limit}")
    return args


def load_datasets(name: str, limit: int | None = None) -> tuple[LabeledImages, LabeledImages]:
    """The (train, test) pair of ``name``: 3x32x32 images in [0, 1], int32 labels, each
    cut to its first ``limit`` images when ``limit`` is given."""
    if name == "cifar10":
        train, test = datasets.get_cifar10()
    elif name == "cifar100":
        train, test = datasets.get_cifar100()
    else:
        raise ValueError(f"load_datasets: unknown data set {name!r}; expected one of {sorted(DATASETS)}")
    if limit is not None:
        train, test = _head(train, limit), _head(test, limit)
    return train, test


def _head(dataset: LabeledImages, n: int) -> LabeledImages:
    images, labels = (np.asarray(column) for column in dataset.datasets)
    return datasets.TupleDataset(images[:n], labels[:n])


def build_model(name: str, class_labels: int) -> VGG | ResNet50:
    """The predictor ``--model`` names."""
    if name == "vgg":
        return VGG(class_labels)
    if name == "resnet50":
        return ResNet50(class_labels)
    raise ValueError(f"build_model: unknown model {name!r}; expected one of {MODELS}")


def build_trainer(args: argparse.Namespace, train: LabeledImages, test: LabeledImages,
                  out: IO[str] | None = None) -> training.Trainer:
    """Chainer's trainer for ``args``; reports go to ``out`` (stdout by default)."""
    device = fchain.get_device(device_spec(args))
    device.use()
    if args.seed is not None:
        np.random.seed(args.seed)  # the initializers draw from numpy's global generator
        fchain.graph.random.seed(args.seed)  # dropout's masks come from fchain's generator

    model = L.Classifier(build_model(args.model, DATASETS[args.dataset]))
    model.to_device(device)
    optimizer = optimizers.MomentumSGD(args.learnrate)
    optimizer.setup(model)
    optimizer.add_hook(optimizer_hooks.WeightDecay(5e-4))

    train_iter = iterators.SerialIterator(train, args.batchsize, shuffle=True, seed=args.seed)
    test_iter = iterators.SerialIterator(test, args.batchsize, repeat=False, shuffle=False)

    stop_trigger: training.TriggerLike = (args.epoch, "epoch")
    if args.early_stopping:
        stop_trigger = triggers.EarlyStoppingTrigger(monitor=args.early_stopping, verbose=True,
                                                     max_trigger=(args.epoch, "epoch"))
    updater = training.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, stop_trigger, out=args.out)
    trainer.extend(extensions.Evaluator(test_iter, model, device=device))
    trainer.extend(extensions.ExponentialShift("lr", 0.5), trigger=(25, "epoch"))  # halve every 25
    trainer.extend(extensions.DumpGraph("main/loss"))  # cg.dot, from the first iteration's loss
    # Uncompressed: trained weights do not compress (zlib saves about 7% of a VGG
    # snapshot, at 15-40 s of CPU per save); load_npz reads both kinds.
    trainer.extend(extensions.snapshot(functools.partial(serializers.save_npz, compression=False),
                                       filename="snapshot_epoch_{.updater.epoch}", n_retains=2,
                                       autoload=args.autoload))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(REPORT_ENTRIES, out=out))
    trainer.extend(extensions.ProgressBar(out=out))
    if args.resume:
        serializers.load_npz(args.resume, trainer)
    return trainer


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> training.Trainer:
    """Parse ``argv``, load the data, train; returns the finished trainer."""
    args = parse_args(argv)
    stream = out if out is not None else sys.stdout
    print(f"Device: {fchain.get_device(device_spec(args))}", file=stream)
    print(f"# Minibatch-size: {args.batchsize}", file=stream)
    print(f"# epoch: {args.epoch}", file=stream)
    print("", file=stream)
    print(f"Using {args.dataset.upper()} dataset; model {args.model}.", file=stream)
    train, test = load_datasets(args.dataset, args.limit)
    trainer = build_trainer(args, train, test, out)
    start = time.perf_counter()
    trainer.run()
    print(f"Training took {time.perf_counter() - start:.1f} s ({len(train)} training images, "
          f"{trainer.updater.epoch} epochs)", file=stream)
    return trainer


if __name__ == "__main__":
    main()
