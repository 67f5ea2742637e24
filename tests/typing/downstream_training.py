"""A downstream training script that ``mypy --strict`` must accept (checked by the main
mypy run) and that runs (``tests/training/test_downstream_training.py``).

It uses the training API the way Chainer users write it: datasets and iterators, a
Classifier over a typed Chain, an optimizer with a hook, a Trainer with the usual
extensions, a custom extension (``make_extension`` and an ``Extension`` subclass), a
custom updater, triggers, snapshots and a resume with ``load_npz``.  The annotations
are what a user would write; mypy checks that fchain's types agree with them.
"""

from __future__ import annotations

import io
import os

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import datasets, iterators, optimizers, serializers, training
from fchain.optimizer import WeightDecay
from fchain.training import extensions, triggers
from fchain.datasets.tuple_dataset import Row
from fchain.types import Array


class MLP(fchain.Chain):
    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(n_units, n_out)

    def forward(self, x: fchain.Variable | Array) -> fchain.Variable:
        return self.l2(F.relu(self.l1(x)))


Batch = tuple[Row, Row]


class ClipUpdater(training.StandardUpdater[iterators.SerialIterator[Batch],
                                           optimizers.SGD[L.Classifier[MLP]]]):
    """A custom updater: the standard step, then a report of the first layer's norm."""

    def update_core(self) -> None:
        super().update_core()
        model = self.get_optimizer("main").target  # a Classifier[MLP], typed
        W = model.predictor.l1.W
        assert W.array is not None
        fchain.report({"w_norm": float(np.sqrt((W.array ** 2).sum()))})


class CountEpochs(training.Extension):
    """A custom Extension subclass with its own state, saved in snapshots."""

    def __init__(self) -> None:
        self.trigger = (1, "epoch")
        self.count = 0

    def __call__(self, trainer: training.Trainer) -> None:
        self.count += 1

    def serialize(self, serializer: serializers.AbstractSerializer) -> None:
        self.count = int(serializer("count", self.count))


def make_data(n: int, seed: int) -> datasets.TupleDataset[tuple[Row, Row]]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 6)).astype(np.float32)
    t = (x[:, 0] > 0).astype(np.int32)
    return datasets.TupleDataset(x, t)


def build(out: str, epochs: int, stream: io.StringIO) -> tuple[training.Trainer[ClipUpdater], CountEpochs]:
    np.random.seed(0)
    train, test = make_data(256, 1), make_data(64, 2)
    train_iter = iterators.SerialIterator(train, batch_size=16, shuffle=True, seed=0)
    test_iter = iterators.SerialIterator(test, batch_size=16, repeat=False, shuffle=False)

    model = L.Classifier(MLP(8, 2))
    optimizer = optimizers.SGD(lr=0.3).setup(model)
    optimizer.add_hook(WeightDecay(1e-4))

    updater = ClipUpdater(train_iter, optimizer)
    trainer = training.Trainer(updater, (epochs, "epoch"), out=out)

    @training.make_extension(trigger=(2, "iteration"))
    def halve_late(trainer: training.Trainer) -> None:
        if trainer.updater.epoch >= 2:
            optimizer.lr = 0.15

    counter = CountEpochs()
    trainer.extend(extensions.Evaluator(test_iter, model))
    trainer.extend(extensions.LogReport(trigger=triggers.IntervalTrigger(1, "epoch")))
    trainer.extend(extensions.PrintReport(
        ["epoch", "main/loss", "validation/main/accuracy", "main/w_norm"], out=stream))
    trainer.extend(extensions.ProgressBar(update_interval=4, out=stream))
    trainer.extend(extensions.snapshot(filename="snapshot_epoch_{.updater.epoch}", n_retains=1),
                   trigger=(1, "epoch"))
    trainer.extend(extensions.snapshot_object(model, "model_epoch_{.updater.epoch}"),
                   trigger=triggers.MaxValueTrigger("validation/main/accuracy"))
    trainer.extend(halve_late)
    trainer.extend(counter, name="counter")
    return trainer, counter


def main(out: str) -> tuple[float, float, int]:
    """Train 2 epochs, resume from the snapshot into a fresh trainer for a third;
    returns (final validation accuracy, final loss, epochs counted)."""
    stream = io.StringIO()
    first, _ = build(os.path.join(out, "run"), 2, stream)
    first.run()

    resumed, counter = build(os.path.join(out, "run"), 3, stream)
    serializers.load_npz(os.path.join(out, "run", "snapshot_epoch_2"), resumed)
    resumed.run()

    log_report = resumed.get_extension("LogReport")
    assert isinstance(log_report, extensions.LogReport)
    last: dict[str, float] = log_report.log[-1]
    elapsed: float = resumed.elapsed_time
    iteration: int = resumed.updater.iteration
    assert elapsed >= 0.0 and iteration == 48
    model_file = os.path.join(out, "run", "model_epoch_1")
    if os.path.exists(model_file):
        restored = L.Classifier(MLP(8, 2))
        serializers.load_npz(model_file, restored)
    return last["validation/main/accuracy"], last["main/loss"], counter.count


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(main(folder))
