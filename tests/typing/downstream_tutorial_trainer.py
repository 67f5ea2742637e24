"""Chainer's MNIST tutorial as a user types it: a Chain, a Classifier, a dataset
split, iterators, an optimizer, a Trainer with the usual extensions, and the
learning rate changed from an extension through the updater's optimizer.

Checked by ``mypy --strict`` and ``pyright --strict`` (``test_pyright.py``) and run
by ``test_downstream_programs.py`` (on random data standing in for MNIST).
"""

from __future__ import annotations

import io
import os

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import datasets, iterators, optimizers, training
from fchain.training import extensions


class MLP(fchain.Chain):
    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(None, n_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, x: fchain.Variable) -> fchain.Variable:
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


def main(out: str) -> float:
    rng = np.random.default_rng(0)
    images = rng.standard_normal((120, 16)).astype(np.float32)
    labels = (images[:, 0] > 0).astype(np.int32)
    full = datasets.TupleDataset(images, labels)
    train, test = datasets.split_dataset_random(full, 100, seed=0)

    train_iter = iterators.SerialIterator(train, batch_size=20)
    test_iter = iterators.SerialIterator(test, batch_size=20, repeat=False, shuffle=False)

    model = L.Classifier(MLP(10, 2))
    optimizer = optimizers.SGD(lr=0.1)
    optimizer.setup(model)

    updater = training.StandardUpdater(train_iter, optimizer, device=-1)
    trainer = training.Trainer(updater, (2, "epoch"), out=out)

    @training.make_extension(trigger=(1, "epoch"))
    def decay(trainer: training.Trainer) -> None:
        sgd = updater.get_optimizer("main")  # an SGD: the updater is typed by its optimizer
        sgd.lr *= 0.5

    stream = io.StringIO()
    trainer.extend(extensions.Evaluator(test_iter, model, device=-1))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(
        ["epoch", "main/loss", "validation/main/loss", "main/accuracy", "elapsed_time"],
        out=stream))
    trainer.extend(extensions.snapshot(filename="snapshot_epoch_{.updater.epoch}"))
    trainer.extend(decay)
    trainer.run()

    assert os.path.exists(os.path.join(out, "snapshot_epoch_2"))
    assert optimizer.lr == 0.025
    log = trainer.get_extension("LogReport")
    assert isinstance(log, extensions.LogReport)
    return float(log.log[-1]["main/loss"])


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(main(folder))
