"""A custom training loop as a user types it (Chainer's "write a training loop"
tutorial): iterators, ``concat_examples``, ``optimizer.update(model, x, t)``,
evaluation under ``using_config('train', False)`` and ``no_backprop_mode``, the
model's ``xp`` for array math, and the configuration read back typed.

Checked by ``mypy --strict`` and ``pyright --strict``; run by
``test_downstream_programs.py``.
"""

from __future__ import annotations

from typing import assert_type

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import datasets, iterators, optimizers
from fchain.dataset import concat_examples
from fchain.types import Array

NOISE = fchain.ConfigKey("input_noise", 0.01)
"""A configuration key of the program's own, typed (a float)."""


class Net(fchain.Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 8)
            self.l2 = L.Linear(8, 3)

    def forward(self, x: fchain.Variable) -> fchain.Variable:
        return self.l2(F.tanh(self.l1(x)))


def main() -> float:
    rng = np.random.default_rng(1)
    x_all = rng.standard_normal((60, 4)).astype(np.float32)
    t_all = rng.integers(0, 3, 60).astype(np.int32)
    train, valid = datasets.split_dataset_random(datasets.TupleDataset(x_all, t_all), 48, seed=1)
    train_iter = iterators.SerialIterator(train, 12, shuffle=True, seed=1)

    model = L.Classifier(Net())
    optimizer = optimizers.MomentumSGD(lr=0.05).setup(model)

    while train_iter.epoch < 3:
        batch = train_iter.next()
        assert_type(concat_examples(batch), tuple[Array, Array])  # not Any, under mypy too
        x, t = concat_examples(batch)
        x = x + NOISE.get() * np.random.default_rng(0).standard_normal(x.shape).astype(np.float32)
        optimizer.update(model, x, t)
        if train_iter.is_new_epoch:
            optimizer.lr *= 0.9

    valid_iter = iterators.SerialIterator(valid, 12, repeat=False, shuffle=False)
    total = 0.0
    with fchain.using_config("train", False), fchain.no_backprop_mode(), NOISE.using(0.0):
        for batch in valid_iter:
            x, t = concat_examples(batch)
            loss = model(x, t)
            total += float(loss.array)
    train_mode: bool = fchain.config.train
    xp = model.xp
    W = model.predictor.l1.W.array
    assert W is not None
    norm = float(xp.sqrt(xp.sum(W * W)))
    mean_abs = float(xp.mean(xp.abs(W)))
    noise = xp.random.uniform(-1.0, 1.0, (2, 2)).astype(xp.float32)
    spectral = float(xp.linalg.norm(noise))
    assert train_mode and norm > 0 and mean_abs > 0 and spectral >= 0
    return total + norm


if __name__ == "__main__":
    print(main())
