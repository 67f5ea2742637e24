"""A Trainer run on the device: SerialIterator, StandardUpdater(device=...),
Evaluator(device=...), LogReport and a model snapshot, for two iterations; the
trained parameters match the same run on the CPU.  (``cpu-dry-run``: see
``tests/gpu/__init__.py``.)"""

from __future__ import annotations

from pathlib import Path

import numpy
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
import fchain.optimizers as optimizers
from fchain import datasets, iterators, serializers, training
from fchain.core.backend import to_numpy
from fchain.graph.device import get_device, get_device_from_array
from fchain.training import extensions
from fchain.datasets.tuple_dataset import Row
from fchain.types import Array
from tests.gpu import TARGETS
from tests.arrays import values

ITERATIONS = 2


class MLP(fchain.Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(5, 8)
            self.l2 = L.Linear(8, 3)

    def forward(self, x: fchain.Variable | Array) -> fchain.Variable:
        return self.l2(F.relu(self.l1(x)))


def _dataset(n: int, seed: int) -> datasets.TupleDataset[tuple[Row, Row]]:
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((n, 5)).astype(numpy.float32)
    t = rng.integers(0, 3, size=n).astype(numpy.int32)
    return datasets.TupleDataset(x, t)


def _build(device: str, out: Path, initial: MLP) -> tuple[L.Classifier[MLP], extensions.LogReport, training.Trainer]:
    """A trainer of a copy of ``initial`` on ``device`` (not run yet)."""
    model = L.Classifier(initial.copy("copy")).to_device(device)
    opt = optimizers.MomentumSGD(lr=0.1).setup(model)
    train_iter = iterators.SerialIterator(_dataset(12, 1), batch_size=4, shuffle=False)
    test_iter = iterators.SerialIterator(_dataset(6, 2), batch_size=3, repeat=False, shuffle=False)
    updater = training.StandardUpdater(train_iter, opt, device=device)
    trainer = training.Trainer(updater, (ITERATIONS, "iteration"), out=str(out))
    log = extensions.LogReport(trigger=(1, "iteration"))
    trainer.extend(extensions.Evaluator(test_iter, model, device=device), trigger=(ITERATIONS, "iteration"))
    trainer.extend(log)
    trainer.extend(extensions.snapshot_object(model, "model_iter_{.updater.iteration}"),
                   trigger=(ITERATIONS, "iteration"))
    return model, log, trainer


def _run(device: str, out: Path, initial: MLP) -> tuple[L.Classifier[MLP], extensions.LogReport, training.Trainer]:
    model, log, trainer = _build(device, out, initial)
    trainer.run()
    return model, log, trainer


@pytest.mark.parametrize("device", TARGETS)
def test_trainer_runs_on_the_device_like_on_the_cpu(device: str, tmp_path: Path) -> None:
    target = get_device(device)
    initial = MLP()
    model, log, trainer = _run(device, tmp_path / "device", initial)
    cpu_model, cpu_log, _ = _run("@numpy", tmp_path / "cpu", initial)

    assert trainer.updater.iteration == ITERATIONS
    for name, p in model.namedparams():
        assert get_device_from_array(p.array) == target, name
    for (name, p), (_, q) in zip(model.namedparams(), cpu_model.namedparams()):
        numpy.testing.assert_allclose(to_numpy(values(p)), values(q), rtol=1e-5, atol=1e-6, err_msg=name)
    assert not numpy.allclose(to_numpy(values(model.predictor.l1.W)), values(initial.l1.W))  # it trained

    # the reports are host floats, equal to the CPU run's
    assert len(log.log) == len(cpu_log.log) == ITERATIONS
    for entry, cpu_entry in zip(log.log, cpu_log.log):
        for key in ("main/loss", "main/accuracy"):
            assert isinstance(entry[key], float), f"{key} is a {type(entry[key]).__name__}"
            assert entry[key] == pytest.approx(cpu_entry[key], rel=1e-5, abs=1e-6), key
    assert log.log[-1]["validation/main/loss"] == pytest.approx(cpu_log.log[-1]["validation/main/loss"],
                                                                rel=1e-5, abs=1e-6)

    # the model snapshot written from the device loads into a fresh model on the CPU
    snapshot = tmp_path / "device" / f"model_iter_{ITERATIONS}"
    assert snapshot.exists()
    fresh = L.Classifier(MLP())
    serializers.load_npz(snapshot, fresh)
    for (name, p), (_, q) in zip(model.namedparams(), fresh.namedparams()):
        assert type(q.array) is numpy.ndarray
        numpy.testing.assert_array_equal(values(q), to_numpy(values(p)), err_msg=name)

