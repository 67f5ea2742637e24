"""L.Classifier: loss, accuracy, reporting, label_key, attributes, errors."""

from __future__ import annotations

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Chain, Reporter, Variable
from fchain.types import Array


class MLP(Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 5)
            self.l2 = L.Linear(5, 3)

    def forward(self, x: Variable | Array) -> Variable:
        return self.l2(F.relu(self.l1(x)))


def _softmax_ce(y: Array, t: Array) -> float:
    z = y - y.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(t)), t].mean())


def _data() -> tuple[Array, Array]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    t = np.array([0, 1, 2, 2, 1, 0], dtype=np.int32)
    return x, t


def test_loss_accuracy_attributes_and_report() -> None:
    model = L.Classifier(MLP())
    x, t = _data()
    reporter = Reporter()
    reporter.add_observer("main", model)
    with reporter:
        loss = model(x, t)
    y = model.predictor(x).array
    assert model.y is not None
    np.testing.assert_allclose(model.y.array, y, rtol=1e-6)
    assert loss is model.loss
    assert float(loss.array) == pytest.approx(_softmax_ce(y.astype(np.float64), t), rel=1e-5)
    assert model.accuracy is not None
    assert float(model.accuracy.array) == pytest.approx(float((y.argmax(axis=1) == t).mean()))
    assert set(reporter.observation) == {"main/loss", "main/accuracy"}
    reported = reporter.observation["main/loss"]
    assert isinstance(reported, Variable)
    np.testing.assert_array_equal(reported.array, loss.array)


def test_backward_reaches_the_predictor_and_names_have_the_prefix() -> None:
    model = L.Classifier(MLP())
    x, t = _data()
    model(x, t).backward()
    assert [n for n, _ in model.namedparams()] == [
        "/predictor/l1/W", "/predictor/l1/b", "/predictor/l2/W", "/predictor/l2/b"]
    assert all(p.grad is not None for p in model.params())
    assert model.predictor.name == "predictor"


def test_compute_accuracy_off_and_custom_functions() -> None:
    calls: list[str] = []

    def lossfun(y: Variable, t: Variable | Array) -> Variable:
        calls.append("loss")
        return F.sum(y * 0.0)

    def accfun(y: Variable, t: Variable | Array) -> Variable:
        calls.append("acc")
        return F.sum(y * 0.0)

    model = L.Classifier(MLP(), lossfun=lossfun, accfun=accfun)
    model.compute_accuracy = False
    x, t = _data()
    reporter = Reporter()
    reporter.add_observer("main", model)
    with reporter:
        model(x, t)
    assert calls == ["loss"] and model.accuracy is None
    assert set(reporter.observation) == {"main/loss"}
    model.compute_accuracy = True
    model(x, t)
    assert calls == ["loss", "loss", "acc"]


def test_label_key_position_and_keyword() -> None:
    class Two(Chain):
        def __init__(self) -> None:
            super().__init__()
            with self.init_scope():
                self.l = L.Linear(4, 3)

        def forward(self, a: Variable | Array, b: Variable | Array) -> Variable:
            return self.l(a) + self.l(b)

    x, t = _data()
    first = L.Classifier(Two(), label_key=0)
    loss0 = first(t, x, x)
    expected = first.predictor(x, x).array
    assert float(loss0.array) == pytest.approx(_softmax_ce(expected.astype(np.float64), t), rel=1e-5)
    named = L.Classifier(Two(), label_key="t")
    named(x, x, t=t)
    assert named.loss is not None
    with pytest.raises(ValueError, match="out of bounds"):
        L.Classifier(Two(), label_key=5)(x, t)
    with pytest.raises(ValueError, match="'t' is not found"):
        named(x, x, t)
    with pytest.raises(TypeError, match="label_key"):
        L.Classifier(Two(), label_key=1.5)  # type: ignore[arg-type]  # the mistake under test


def test_default_functions_are_chainers() -> None:
    model = L.Classifier(MLP())
    assert model.lossfun is F.softmax_cross_entropy and model.accfun is F.accuracy
    assert L.Classifier.compute_accuracy is True


def test_without_a_reporter_the_classifier_still_works() -> None:
    model = L.Classifier(MLP())
    x, t = _data()
    with fchain.no_backprop_mode():
        loss = model(x, t)
    assert loss.creator is None and np.isfinite(loss.array)
