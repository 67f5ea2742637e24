"""Reporter, report, report_scope, Summary and DictSummary (Chainer's semantics)."""

from __future__ import annotations

import json
import threading
from typing import Any

import numpy as np
import pytest

import fchain
from fchain import DictSummary, Reporter, Summary, Variable
from fchain.facade.serializer import Deserializer, Serializer


class _Obj:
    pass


def test_report_prefixes_keys_with_the_observer_name() -> None:
    reporter = Reporter()
    model, sub = _Obj(), _Obj()
    reporter.add_observer("main", model)
    reporter.add_observers("main", [("/l1", sub)])
    observation: dict[str, object] = {}
    with reporter.scope(observation):
        fchain.report({"loss": 1.5}, model)
        fchain.report({"x": 2}, sub)
        fchain.report({"plain": 3})
    assert observation == {"main/loss": 1.5, "main/l1/x": 2, "plain": 3}


def test_report_with_an_unknown_observer_is_a_key_error() -> None:
    reporter = Reporter()
    with reporter, pytest.raises(KeyError, match="not registered"):
        fchain.report({"a": 1}, _Obj())


def test_report_without_a_reporter_does_nothing_and_current_reporter_raises() -> None:
    fchain.report({"a": 1})
    with pytest.raises(RuntimeError, match="no reporter"):
        fchain.get_current_reporter()


def test_reporters_nest_and_report_scope_redirects() -> None:
    outer, inner = Reporter(), Reporter()
    with outer:
        assert fchain.get_current_reporter() is outer
        with inner:
            assert fchain.get_current_reporter() is inner
            fchain.report({"k": 1})
        assert fchain.get_current_reporter() is outer
        fchain.report({"k": 2})
        scoped: dict[str, object] = {}
        with fchain.report_scope(scoped):
            fchain.report({"s": 3})
        fchain.report({"after": 4})
    assert inner.observation == {"k": 1}
    assert outer.observation == {"k": 2, "after": 4}
    assert scoped == {"s": 3}


def test_each_thread_has_its_own_reporter_stack() -> None:
    seen: list[bool] = []

    def worker() -> None:
        try:
            fchain.get_current_reporter()
            seen.append(True)
        except RuntimeError:
            seen.append(False)
        fchain.report({"from_thread": 1})

    reporter = Reporter()
    with reporter:
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen == [False]
    assert reporter.observation == {}


def test_reported_variables_drop_their_graph_unless_asked() -> None:
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    y = fchain.functions.sum(x * x)
    reporter = Reporter()
    with reporter:
        fchain.report({"y": y})
        with fchain.using_config("keep_graph_on_report", True):
            fchain.report({"kept": y})
        fchain.global_config.keep_graph_on_report = True
        try:
            fchain.report({"kept globally": y})
        finally:
            fchain.global_config.keep_graph_on_report = False
        fchain.report({"dropped again": y})
    stored = reporter.observation["y"]
    assert isinstance(stored, Variable) and stored.creator is None
    np.testing.assert_array_equal(stored.array, y.array)
    assert reporter.observation["kept"] is y
    assert reporter.observation["kept globally"] is y
    assert reporter.observation["dropped again"] is not y


def test_summary_mean_and_std_match_numpy() -> None:
    values = [0.5, 2.0, -1.0, 3.25]
    s = Summary()
    for v in values:
        s.add(v)
    mean, std = s.make_statistics()
    assert float(s.compute_mean()) == pytest.approx(np.mean(values))
    assert float(mean) == pytest.approx(np.mean(values))
    assert float(std) == pytest.approx(np.std(values))


def test_summary_weights_arrays_and_variables() -> None:
    s = Summary()
    s.add(np.array(2.0, dtype=np.float32), weight=3)
    s.add(Variable(np.array(6.0, dtype=np.float32)), weight=Variable(np.array(1.0)))
    assert float(s.compute_mean()) == pytest.approx((2 * 3 + 6) / 4)
    with pytest.raises(TypeError, match="Summary.add"):
        s.add("x")  # type: ignore[arg-type]  # the mistake under test


def test_dict_summary_keeps_scalars_per_key() -> None:
    d = DictSummary()
    d.add({"loss": Variable(np.array(1.0, dtype=np.float32)), "acc": 0.5,
           "vec": np.ones(3), "w": (np.array(4.0), 3), "name": "skip me"})
    d.add({"loss": np.array(3.0, dtype=np.float32), "acc": 1.0, "w": (np.array(0.0), 1)})
    mean = d.compute_mean()
    assert set(mean) == {"loss", "acc", "w"}
    assert float(mean["loss"]) == pytest.approx(2.0)
    assert float(mean["acc"]) == pytest.approx(0.75)
    assert float(mean["w"]) == pytest.approx(12.0 / 4)
    stats = d.make_statistics()
    assert set(stats) == {"loss", "loss.std", "acc", "acc.std", "w", "w.std"}
    assert float(stats["loss.std"]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="not a scalar"):
        d.add({"bad": (1.0, np.ones(2))})


class _DictWriter(Serializer):
    def __init__(self, target: dict[str, Any], path: str = "") -> None:
        self.target, self.path = target, path

    def __getitem__(self, key: str) -> _DictWriter:
        return _DictWriter(self.target, self.path + key + "/")

    def __call__(self, key: str, value: Any) -> Any:
        self.target[self.path + key] = np.asarray(value)
        return value


class _DictReader(Deserializer):
    def __init__(self, source: dict[str, Any], path: str = "") -> None:
        self.source, self.path = source, path

    def __getitem__(self, key: str) -> _DictReader:
        return _DictReader(self.source, self.path + key + "/")

    def __call__(self, key: str, value: Any) -> Any:
        stored = self.source[self.path + key]
        if isinstance(value, np.ndarray):
            value[...] = stored
            return value
        if value is None:
            return stored
        return type(value)(stored.item())


def test_dict_summary_serializes_in_chainers_layout() -> None:
    d = DictSummary()
    d.add({"a": 1.0, "b": 2.0})
    d.add({"a": 3.0})
    saved: dict[str, Any] = {}
    _DictWriter(saved).save(d)
    assert json.loads(str(saved["_names"])) == ["a", "b"]
    assert set(saved) == {"_names", "_summaries/0/_x", "_summaries/0/_x2", "_summaries/0/_n",
                          "_summaries/1/_x", "_summaries/1/_x2", "_summaries/1/_n"}
    assert float(saved["_summaries/0/_x"]) == 4.0 and float(saved["_summaries/0/_x2"]) == 10.0
    # the count stays an integer (Chainer reads it back into an int)
    assert saved["_summaries/0/_n"].dtype.kind == "i" and int(saved["_summaries/0/_n"]) == 2
    restored = DictSummary()
    restored.add({"stale": 9.0})
    _DictReader(saved).load(restored)
    assert {k: float(v) for k, v in restored.compute_mean().items()} == {"a": 2.0, "b": 2.0}



@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dict_summary_of_reported_scalars_equals_summary_add(dtype: type) -> None:
    """The per-iteration case (0-d float arrays and Variables holding them) sums
    exactly as ``Summary.add`` does: same values, same dtypes, same count."""
    rng = np.random.default_rng(3)
    values: list[Any] = [np.asarray(v, dtype=dtype) for v in rng.standard_normal(7)]
    reference = Summary()
    d = DictSummary()
    for i, v in enumerate(values):
        reference.add(v)
        d.add({"loss": Variable(v) if i % 2 else v})
    got = d._summaries["loss"]
    for name in ("_x", "_x2", "_n"):
        expected, actual = getattr(reference, name), getattr(got, name)
        assert type(actual) is type(expected)
        assert actual == expected
    assert np.asarray(d.compute_mean()["loss"]).dtype == np.asarray(reference.compute_mean()).dtype
