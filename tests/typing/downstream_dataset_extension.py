"""A custom dataset, a custom extension and a custom trigger as a user types them:
a ``DatasetMixin`` subclass, a stopping trigger with state saved in snapshots, an
``Extension`` subclass that reads the trainer's observation and the updater's
optimizer, a ``LogReport`` with a postprocess, and a snapshot of the model.

Checked by ``mypy --strict`` and ``pyright --strict``; run by
``test_downstream_programs.py``.
"""

from __future__ import annotations

import os

import numpy as np

import fchain
import fchain.links as L
from fchain import dataset, iterators, optimizers, serializers, training
from fchain.training import extensions
from fchain.types import Array


class Spiral(dataset.DatasetMixin[tuple[Array, np.int32]]):
    """Points on two spirals, labelled by the spiral."""

    def __init__(self, n: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.t = rng.integers(0, 2, n).astype(np.int32)
        angle = rng.uniform(0.0, 3.0, n)
        sign = np.where(self.t == 0, 1.0, -1.0)
        self.x = np.stack([sign * angle * np.cos(angle), sign * angle * np.sin(angle)], 1).astype(np.float32)

    def __len__(self) -> int:
        return len(self.t)

    def get_example(self, i: int) -> tuple[Array, np.int32]:
        return self.x[i], self.t[i]


class LossBelow:
    """Stops training once the reported loss is below ``bound`` (or after ``limit``
    epochs); its counter is saved in snapshots."""

    def __init__(self, bound: float, limit: int) -> None:
        self.bound = bound
        self.limit = limit
        self.checks = 0

    def __call__(self, trainer: training.Trainer) -> bool:
        self.checks += 1
        loss = trainer.observation.get("main/loss")
        low = isinstance(loss, fchain.Variable) and float(loss.array) < self.bound
        return low or trainer.updater.epoch >= self.limit

    def serialize(self, serializer: serializers.AbstractSerializer) -> None:
        self.checks = serializer("checks", self.checks)


class RecordLearningRate(training.Extension):
    trigger: training.TriggerLike = (1, "epoch")

    def __init__(self, optimizer: optimizers.Adam) -> None:
        self.optimizer = optimizer
        self.rates: list[float] = []

    def __call__(self, trainer: training.Trainer) -> None:
        self.rates.append(self.optimizer.alpha)
        fchain.report({"alpha": self.optimizer.alpha, "epoch_detail": trainer.updater.epoch_detail})


def main(out: str) -> float:
    train = Spiral(64, 0)
    train_iter = iterators.SerialIterator(train, batch_size=16, seed=0)
    model = L.Classifier(fchain.Sequential(L.Linear(2, 16), fchain.functions.relu, L.Linear(16, 2)))
    optimizer = optimizers.Adam(alpha=0.01).setup(model)
    updater = training.updaters.StandardUpdater(train_iter, optimizer)
    stop = LossBelow(1e-6, 3)
    trainer = training.Trainer(updater, stop, out=out)

    def add_epoch(entry: dict[str, float]) -> None:
        entry["epoch_seen"] = entry.get("epoch", 0.0)

    recorder = RecordLearningRate(optimizer)
    trainer.extend(recorder)
    trainer.extend(extensions.LogReport(postprocess=add_epoch))
    trainer.extend(extensions.snapshot_object(model, "model_{.updater.iteration}"), trigger=(1, "epoch"))
    trainer.run()

    assert recorder.rates and stop.checks > 0
    saved = os.path.join(out, f"model_{updater.iteration}")
    restored = L.Classifier(fchain.Sequential(L.Linear(2, 16), fchain.functions.relu, L.Linear(16, 2)))
    serializers.load_npz(saved, restored)
    loss = restored(train.x, train.t)
    return float(loss.array)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(main(folder))
