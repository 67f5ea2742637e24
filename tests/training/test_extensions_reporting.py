"""observe_value, FailOnNonNumber, MicroAverage, ParameterStatistics and
unchain_variables."""

from __future__ import annotations

import os
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain.facade.reporter import Reporter
from fchain.serializers import load_npz, save_npz
from fchain.training import extensions
from fchain.training import get_trigger
from fchain.training.extension import PRIORITY_EDITOR, PRIORITY_WRITER
from tests.training.ext_helpers import ExtTrainer, FakeOptimizer
from tests.arrays import values


def call_in_scope(ext: Any, trainer: ExtTrainer, observation: dict[str, Any]) -> dict[str, Any]:
    """One iteration: step, set the observation and call ``ext`` with a current reporter."""
    trainer.step()
    trainer.observation = observation
    with Reporter().scope(observation):
        ext(trainer.as_trainer())
    return observation


# ------------------------------------------------------------------ observe_value
def test_observe_value_and_observe_lr() -> None:
    trainer = ExtTrainer(main=FakeOptimizer(lr=0.25), gen=FakeOptimizer(lr=0.5))
    ext = extensions.observe_value("iteration_x2", lambda tr: tr.updater.iteration * 2)
    trainer.step()
    ext(trainer.as_trainer())
    assert trainer.observation["iteration_x2"] == 2
    assert getattr(ext, "trigger") == (1, "epoch")
    assert getattr(ext, "priority") == PRIORITY_WRITER
    assert getattr(ext, "default_name") == "_observe_value"

    extensions.observe_lr()(trainer.as_trainer())
    extensions.observe_lr("gen", "gen/lr")(trainer.as_trainer())
    assert (trainer.observation["lr"], trainer.observation["gen/lr"]) == (0.25, 0.5)


# --------------------------------------------------------------- FailOnNonNumber
def _model_with_optimizer() -> tuple[L.Linear, ExtTrainer]:
    model = L.Linear(2, 3)
    optimizer = FakeOptimizer()
    optimizer.target = model
    return model, ExtTrainer(main=optimizer)


@pytest.mark.parametrize("bad", [numpy.nan, numpy.inf, -numpy.inf])
def test_fail_on_nonnumber_raises_on_a_non_finite_parameter(bad: float) -> None:
    model, trainer = _model_with_optimizer()
    ext = extensions.FailOnNonNumber()
    ext(trainer.as_trainer())  # finite: nothing happens
    assert model.b is not None
    values(model.b)[1] = bad
    with pytest.raises(RuntimeError, match="optimizer 'main' diverge"):
        ext(trainer.as_trainer())


def test_fail_on_nonnumber_ignores_uninitialized_parameters() -> None:
    model = L.Linear(3)  # lazy: W has no array until the first call
    optimizer = FakeOptimizer()
    optimizer.target = model
    extensions.FailOnNonNumber()(ExtTrainer(main=optimizer).as_trainer())


# ------------------------------------------------------------------ MicroAverage
def test_micro_average_is_the_ratio_of_sums() -> None:
    trainer = ExtTrainer(iters_per_epoch=3)
    ext = extensions.MicroAverage("main/correct", "main/total", "main/accuracy")
    assert ext.priority == PRIORITY_EDITOR
    batches = [(2, 4), (3, 4), (1, 2), (5, 5), (0, 3), (1, 2)]
    results = []
    for correct, total in batches:
        # Values may be numbers, 0-d arrays or Variables.
        observation = {"main/correct": numpy.array(correct), "main/total": fchain.Variable(numpy.array(total))}
        results.append(call_in_scope(ext, trainer, observation).get("main/accuracy"))
    # Per epoch of 3 iterations: sum(correct) / sum(total), not the mean of ratios.
    assert results[:2] == [None, None] and results[3:5] == [None, None]
    assert results[2] == pytest.approx((2 + 3 + 1) / (4 + 4 + 2))
    assert results[5] == pytest.approx((5 + 0 + 1) / (5 + 3 + 2))
    assert results[2] != pytest.approx((2 / 4 + 3 / 4 + 1 / 2) / 3)


def test_micro_average_skips_iterations_without_both_keys() -> None:
    trainer = ExtTrainer(iters_per_epoch=2)
    ext = extensions.MicroAverage("n", "d", "r", trigger=(2, "iteration"))
    call_in_scope(ext, trainer, {"n": 1})
    assert call_in_scope(ext, trainer, {"n": 3, "d": 4})["r"] == pytest.approx(0.75)


def test_micro_average_resumes_mid_interval(tmp_path: Any) -> None:
    trainer = ExtTrainer(iters_per_epoch=4)
    ext = extensions.MicroAverage("n", "d", "r")
    results = [call_in_scope(ext, trainer, {"n": 1, "d": 2}).get("r") for _ in range(4)]
    assert results[:3] == [None] * 3 and results[3] == pytest.approx(0.5)
    call_in_scope(ext, trainer, {"n": 1, "d": 2})
    call_in_scope(ext, trainer, {"n": 2, "d": 2})
    path = os.path.join(str(tmp_path), "micro.npz")
    save_npz(path, ext)
    with numpy.load(path) as stored:
        assert {k for k in stored.files if not k.startswith("__fchain")} == {"_numerator", "_denominator"}
        chainer_style = {k: stored[k] for k in stored.files if not k.startswith("__fchain")}
    resumed = extensions.MicroAverage("n", "d", "r")
    load_npz(path, resumed)
    # Mid-epoch 2: the saved trigger does not fire early; the sums carried over.
    assert "r" not in call_in_scope(resumed, trainer, {"n": 0, "d": 3})
    assert call_in_scope(resumed, trainer, {"n": 1, "d": 1})["r"] == pytest.approx(4 / 8)

    # A snapshot without fchain's keys (as Chainer writes it) loads strictly.
    chainer_path = os.path.join(str(tmp_path), "chainer.npz")
    numpy.savez(chainer_path, **chainer_style)
    from_chainer = extensions.MicroAverage("n", "d", "r")
    load_npz(chainer_path, from_chainer, strict=True)
    trainer.updater.iteration = 7
    assert call_in_scope(from_chainer, trainer, {"n": 1, "d": 4})["r"] == pytest.approx(4 / 8)


# ------------------------------------------------------------ ParameterStatistics
class TwoLayers(fchain.Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(2, 3)
            self.l2 = L.Linear(3, 1)


STATS = ["mean", "std", "min", "max", "zeros"] + [f"percentile/{i}" for i in range(7)]


def test_parameter_statistics_keys_and_values() -> None:
    model = TwoLayers()
    values(model.l1.W)[:] = numpy.array([[0.0, 1.0], [2.0, -3.0], [4.0, 5.5]])  # one zero to count
    x = numpy.arange(4, dtype=numpy.float32).reshape(2, 2)
    F.sum(model.l2(model.l1(x))).backward()
    trainer = ExtTrainer()
    ext = extensions.ParameterStatistics(model.l1, trigger=(1, "iteration"))
    assert ext.default_name == "parameter_statistics" and ext.priority == PRIORITY_WRITER
    observation = call_in_scope(ext, trainer, {})

    expected = {f"l1/{p}/{a}/{s}" for p in ("W", "b") for a in ("data", "grad") for s in STATS}
    assert set(observation) == expected
    w = [0.0, 1.0, 2.0, -3.0, 4.0, 5.5]
    assert float(observation["l1/W/data/mean"]) == pytest.approx(9.5 / 6, rel=1e-6)
    assert float(observation["l1/W/data/std"]) == pytest.approx(
        (sum((v - 9.5 / 6) ** 2 for v in w) / 6) ** 0.5, rel=1e-6)
    assert float(observation["l1/W/data/min"]) == -3.0
    assert float(observation["l1/W/data/max"]) == 5.5
    assert float(observation["l1/W/data/zeros"]) == 1.0
    assert float(observation["l1/W/data/percentile/3"]) == pytest.approx(1.5, rel=1e-6)  # the median
    # 0.13th percentile, linear interpolation between the two smallest values.
    assert float(observation["l1/W/data/percentile/0"]) == pytest.approx(-3.0 + 0.0013 * 5 * 3.0, rel=1e-5)
    assert model.l1.b is not None
    g = model.l1.b.grad
    assert g is not None
    assert float(observation["l1/b/grad/max"]) == pytest.approx(float(g.max()))


def test_parameter_statistics_root_link_prefix_and_options() -> None:
    model = TwoLayers()
    trainer = ExtTrainer()
    ext = extensions.ParameterStatistics(
        model, statistics={"absmax": lambda a: numpy.abs(a).max()}, report_grads=False, prefix="ps",
        trigger=(1, "iteration"))
    observation = call_in_scope(ext, trainer, {})
    # A root link has no name: Chainer's key then starts with "None".  No grads yet.
    assert set(observation) == {f"ps/None/{lk}/{p}/data/absmax" for lk in ("l1", "l2") for p in ("W", "b")}
    assert float(observation["ps/None/l2/W/data/absmax"]) == pytest.approx(
        float(numpy.abs(values(model.l2.W)).max()))


def test_parameter_statistics_averages_until_its_trigger_and_skips_nan() -> None:
    link = L.Linear(1, 2, initialW=numpy.array([[1.0], [3.0]], numpy.float32))
    trainer = ExtTrainer(iters_per_epoch=2)
    ext = extensions.ParameterStatistics([link], statistics={"mean": numpy.mean}, report_grads=False)
    assert call_in_scope(ext, trainer, {}) == {}  # accumulating, epoch not over
    values(link.W)[:] = numpy.array([[5.0], [7.0]])
    assert float(call_in_scope(ext, trainer, {})["None/W/data/mean"]) == pytest.approx((2.0 + 6.0) / 2)

    skipping = extensions.ParameterStatistics(link, statistics={"max": numpy.max}, report_grads=False,
                                              trigger=(1, "iteration"), skip_nan_params=True)
    values(link.W)[0, 0] = numpy.nan
    assert link.b is not None
    values(link.b)[:] = 2.0
    observation = call_in_scope(skipping, trainer, {})
    assert numpy.isnan(float(observation["None/W/data/max"]))
    assert float(observation["None/b/data/max"]) == 2.0


def test_parameter_statistics_register_statistics() -> None:
    link = L.Linear(1, 2)
    ext = extensions.ParameterStatistics(link, statistics=None, report_grads=False, trigger=(1, "iteration"))
    ext.register_statistics("size", lambda a: a.size)
    assert call_in_scope(ext, ExtTrainer(), {}) == {"None/W/data/size": 2.0, "None/b/data/size": 2.0}
    # Registering on one instance leaves the shared defaults alone.
    assert "size" not in extensions.ParameterStatistics.default_statistics


# ------------------------------------------------------------- unchain_variables
def test_unchain_variables_cuts_reported_graphs_when_the_flag_was_on() -> None:
    trainer = ExtTrainer()
    ext = extensions.unchain_variables()
    assert ext.priority == 0
    trigger = get_trigger(ext.trigger)
    x = fchain.Variable(numpy.ones(2, numpy.float32))
    with fchain.using_config("keep_graph_on_report", True):
        ext.initialize(trainer.as_trainer())
        loss = F.sum(x * 2.0)
        trainer.observation = {"main/loss": loss}
        assert trigger(trainer.as_trainer())
        ext(trainer.as_trainer())
    assert loss.creator is None
    # It fires when the flag was on at its previous check: once more after the flag
    # is turned off (that iteration's graphs were kept), then no longer.
    assert trigger(trainer.as_trainer())
    assert not trigger(trainer.as_trainer())


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_fail_on_nonnumber_stops_a_diverging_run(tmp_path: Any) -> None:
    from fchain import iterators, optimizers, training
    from fchain.datasets import TupleDataset
    from tests.training.ext_helpers import regression_data

    x, t = regression_data()
    model = L.Linear(1, 1)
    optimizer = optimizers.SGD(lr=1e37)  # float32 parameters overflow at once
    optimizer.setup(model)
    iterator = iterators.SerialIterator(TupleDataset(x, t), 4)
    updater = training.StandardUpdater(iterator, optimizer,
                                       loss_func=lambda xb, tb: F.mean_squared_error(model(xb), tb))
    trainer = training.Trainer(updater, (20, "iteration"), out=str(tmp_path))
    trainer.extend(extensions.FailOnNonNumber())
    with pytest.raises(RuntimeError, match="diverge"):
        trainer.run(show_loop_exception_msg=False)
    assert updater.iteration < 20
