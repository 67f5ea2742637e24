"""The seed tutorial's sections "训练器" (Trainer) and "例子：基于MNIST的多层感知器"
(Example: MLP on MNIST), run literally with ``chainer`` replaced by ``fchain``.

``datasets.get_mnist`` is replaced by a small generated, separable problem (ten
784-d class prototypes plus noise) so the whole 20-epoch run takes a fraction of a
second; everything after ``train, test = datasets.get_mnist()`` is the tutorial's
code, with type annotations added.
"""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest

# The tutorial's preamble (its first code block), chainer -> fchain.
import fchain
from fchain import cuda, Function, gradient_check, report, training, utils, Variable  # noqa: F401
from fchain import datasets, iterators, optimizers, serializers  # noqa: F401
from fchain import Link, Chain, ChainList  # noqa: F401
import fchain.functions as F
import fchain.links as L
from fchain.training import extensions
from fchain.types import Array

HEADER = "epoch       main/accuracy  validation/main/accuracy"

Toy = datasets.TupleDataset[tuple[Array, Array]]


def toy_split(n: int, seed: int) -> Toy:
    """MNIST-shaped data (float32 in [0, 1] of 784, int32 labels 0..9) that an MLP
    separates easily: each class is a fixed random prototype plus Gaussian noise."""
    prototypes = np.random.default_rng(123).random((10, 784), dtype=np.float32)
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 10, n).astype(np.int32)
    noise = rng.normal(0.0, 0.3, (n, 784)).astype(np.float32)
    x = np.clip(prototypes[t] + noise, 0.0, 1.0).astype(np.float32)
    return datasets.TupleDataset(x, t)


def fake_get_mnist() -> tuple[Toy, Toy]:
    return toy_split(1000, seed=1), toy_split(200, seed=2)


# The tutorial's network and its hand-written Classifier.
class MLP(Chain):
    def __init__(self, n_units: int, n_out: int) -> None:
        super(MLP, self).__init__()
        with self.init_scope():
            # the size of the inputs to each layer will be inferred
            self.l1 = L.Linear(None, n_units)  # n_in -> n_units
            self.l2 = L.Linear(None, n_units)  # n_units -> n_units
            self.l3 = L.Linear(None, n_out)  # n_units -> n_out

    def __call__(self, x: Variable | Array) -> Variable:
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        y = self.l3(h2)
        return y


class Classifier(Chain):
    def __init__(self, predictor: MLP) -> None:
        super(Classifier, self).__init__()
        with self.init_scope():
            self.predictor = predictor

    def __call__(self, x: Variable | Array, t: Variable | Array) -> Variable:
        y = self.predictor(x)
        loss = F.softmax_cross_entropy(y, t)
        accuracy = F.accuracy(y, t)
        report({'loss': loss, 'accuracy': accuracy}, self)
        return loss


def run_tutorial(use_predefined_classifier: bool) -> training.Trainer:
    """The example section, line by line (the model line picks the tutorial's own
    Classifier or the predefined ``L.Classifier`` it recommends)."""
    train, test = datasets.get_mnist()
    train_iter = iterators.SerialIterator(train, batch_size=100, shuffle=True)
    test_iter = iterators.SerialIterator(test, batch_size=100, repeat=False, shuffle=False)

    model: Chain
    if use_predefined_classifier:
        model = L.Classifier(MLP(100, 10))  # the input size, 784, is inferred
    else:
        model = Classifier(MLP(100, 10))
    optimizer = optimizers.SGD()
    optimizer.setup(model)

    updater = training.StandardUpdater(train_iter, optimizer)
    trainer = training.Trainer(updater, (20, 'epoch'), out='result')

    trainer.extend(extensions.Evaluator(test_iter, model))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(['epoch', 'main/accuracy', 'validation/main/accuracy']))
    trainer.extend(extensions.ProgressBar())
    trainer.run()
    return trainer


@pytest.mark.parametrize("use_predefined_classifier", [True, False],
                         ids=["L.Classifier", "tutorial-Classifier"])
def test_tutorial_mnist_example_trains_with_the_trainer(
        use_predefined_classifier: bool, tmp_path: os.PathLike[str],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(datasets, "get_mnist", fake_get_mnist)
    np.random.seed(0)

    trainer = run_tutorial(use_predefined_classifier)
    printed = capsys.readouterr().out
    lines = printed.splitlines()

    # PrintReport: Chainer's header once, then one row per epoch, in order.
    assert lines.count(HEADER) == 1, printed
    rows = [line for line in lines if re.match(r"^\d+ ", line)]
    assert [int(row.split()[0]) for row in rows] == list(range(1, 21)), printed
    assert all(len(row.split()) == 3 for row in rows), printed
    # ProgressBar: 10 iterations per epoch, so a block at iterations 100 and 200.
    assert re.search(r"^\s+100 iter, 10 epoch / 20 epochs$", printed, re.MULTILINE), printed
    assert re.search(r"^\s+200 iter, 20 epoch / 20 epochs$", printed, re.MULTILINE), printed

    # LogReport: the JSON log file in out='result', one entry per epoch.
    log_path = os.path.join("result", "log")
    assert os.path.isfile(log_path)
    with open(log_path) as f:
        log = json.load(f)
    assert [entry["epoch"] for entry in log] == list(range(1, 21))
    assert [entry["iteration"] for entry in log] == list(range(10, 201, 10))
    for entry in log:
        assert {"main/loss", "main/accuracy", "validation/main/loss",
                "validation/main/accuracy", "elapsed_time"} <= set(entry)

    # The printed numbers are the logged ones; the model learned the problem.
    last = rows[-1].split()
    assert float(last[1]) == pytest.approx(log[-1]["main/accuracy"], rel=1e-5)
    assert float(last[2]) == pytest.approx(log[-1]["validation/main/accuracy"], rel=1e-5)
    assert log[-1]["validation/main/accuracy"] > 0.9
    assert log[-1]["main/accuracy"] > 0.9
    assert log[-1]["main/loss"] < log[0]["main/loss"] / 2
    assert trainer.updater.iteration == 200


def test_tutorial_validation_accuracy_matches_an_independent_evaluation(
        tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The Evaluator's final validation/main/accuracy is the accuracy of the trained
    model on the whole test set, recomputed here with numpy from the parameters."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(datasets, "get_mnist", fake_get_mnist)
    np.random.seed(1)
    trainer = run_tutorial(use_predefined_classifier=True)
    capsys.readouterr()
    params = {name: np.asarray(p.array) for name, p in
              trainer.updater.get_optimizer("main").target.namedparams()}
    test = fake_get_mnist()[1]
    x, t = (np.asarray(column) for column in test.datasets)
    h = np.maximum(x @ params["/predictor/l1/W"].T + params["/predictor/l1/b"], 0)
    h = np.maximum(h @ params["/predictor/l2/W"].T + params["/predictor/l2/b"], 0)
    y = h @ params["/predictor/l3/W"].T + params["/predictor/l3/b"]
    expected = float((y.argmax(axis=1) == t).mean())
    log = trainer.get_extension("LogReport")
    assert isinstance(log, extensions.LogReport)
    assert log.log[-1]["validation/main/accuracy"] == pytest.approx(expected, abs=1e-6)


def test_fchain_reexports_what_the_tutorial_preamble_imports() -> None:
    # The preamble above ran at import time; check the names are the real things.
    assert Variable is fchain.Variable
    assert Chain is fchain.Chain
    assert callable(report)
    assert hasattr(training, "Trainer") and hasattr(extensions, "snapshot")
    assert hasattr(serializers, "save_npz") and hasattr(serializers, "load_npz")
