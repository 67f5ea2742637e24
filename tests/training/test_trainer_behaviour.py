"""Trainer, updater, Evaluator and snapshot behaviour in real runs: make_extension's
defaults, call_before_training, StandardUpdater's devices and several optimizers,
Evaluator's test mode, snapshot autoload / n_retains / on error / condition, and
the best model kept with MinValueTrigger / MaxValueTrigger."""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import iterators, optimizers, serializers, training
from fchain.datasets import TupleDataset
from fchain.graph.device import CpuDevice, get_device
from fchain.training import extensions, triggers
from fchain.training.extension import PRIORITY_READER, make_extension
from tests.facade.test_device_fake_cupy import FakeCudaDevice, device_id, make_fake_cupy
from tests.training.ext_helpers import regression_data
from tests.arrays import values

X, T = regression_data(8)


def regression(out: str, stop: tuple[int, str], *, batch: int = 4,
               w0: float = 0.5) -> tuple[training.Trainer, L.Linear]:
    """SGD on 8 points, 2 iterations per epoch (batch 4), no shuffling."""
    model = L.Linear(1, 1, nobias=True, initialW=numpy.array([[w0]], numpy.float32))
    optimizer = optimizers.SGD(lr=0.2).setup(model)

    def loss_func(xb: Any, tb: Any) -> fchain.Variable:
        loss = F.mean_squared_error(model(xb), tb)
        fchain.report({"loss": loss}, model)
        return loss

    iterator = iterators.SerialIterator(TupleDataset(X, T), batch, shuffle=False)
    updater = training.StandardUpdater(iterator, optimizer, loss_func=loss_func)
    return training.Trainer(updater, stop, out=out), model


def weight(model: L.Linear) -> float:
    return float(values(model.W)[0, 0])


# ------------------------------------------------------------------ make_extension
def test_make_extension_defaults_are_chainers() -> None:
    @make_extension()
    def plain(trainer: training.Trainer) -> None:
        pass

    @make_extension(trigger=None, priority=None, default_name="named")
    def explicit_none(trainer: training.Trainer) -> None:
        pass

    for ext in (plain, explicit_none):
        assert getattr(ext, "trigger") == (1, "iteration")
        assert getattr(ext, "priority") == PRIORITY_READER
    assert getattr(plain, "default_name") == "plain"
    assert getattr(explicit_none, "default_name") == "named"


def test_make_extension_with_none_fires_every_iteration(tmp_path: Any) -> None:
    trainer, _ = regression(str(tmp_path), (3, "iteration"))
    seen: list[int] = []

    @make_extension(trigger=None, priority=None)
    def record(trainer: training.Trainer) -> None:
        seen.append(trainer.updater.iteration)

    trainer.extend(record)
    trainer.run()
    assert seen == [1, 2, 3]


# ------------------------------------------------------------------ call_before_training
def test_call_before_training_runs_the_extension_once_before_the_first_update(tmp_path: Any) -> None:
    trainer, model = regression(str(tmp_path), (4, "iteration"))
    calls: list[tuple[int, float]] = []

    def record(trainer: training.Trainer) -> None:
        calls.append((trainer.updater.iteration, weight(model)))

    trainer.extend(record, name="before", trigger=(2, "iteration"), call_before_training=True)
    trainer.extend(lambda tr: None, name="after_only", trigger=(2, "iteration"))
    trainer.run()
    assert [it for it, _ in calls] == [0, 2, 4]
    assert calls[0][1] == 0.5  # called before any update changed the weight
    assert calls[1][1] != 0.5


def test_log_report_called_before_training_adds_an_iteration_0_entry(tmp_path: Any) -> None:
    """Chainer's layout: the entry holds what was observed before training (nothing
    here) plus epoch, iteration and elapsed_time; the trigger's own rhythm goes on
    from there untouched."""
    trainer, _ = regression(str(tmp_path), (4, "iteration"))
    trainer.extend(extensions.LogReport(trigger=(2, "iteration")), call_before_training=True)
    trainer.run()
    log = trainer.get_extension("LogReport")
    assert isinstance(log, extensions.LogReport)
    assert [(e["epoch"], e["iteration"]) for e in log.log] == [(0, 0), (1, 2), (2, 4)]
    assert sorted(log.log[0]) == ["elapsed_time", "epoch", "iteration"]
    assert sorted(log.log[1]) == ["elapsed_time", "epoch", "iteration", "main/loss"]
    assert trainer.is_before_training is False


# ------------------------------------------------------------------ StandardUpdater
@pytest.fixture
def fake_gpus(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    from fchain.core import backend

    fake = make_fake_cupy()
    monkeypatch.setattr(backend, "cupy_module", lambda: fake)
    FakeCudaDevice.current = 0
    yield fake
    FakeCudaDevice.current = 0


def _recording_updater(model: fchain.Link, **kwargs: Any) -> tuple[training.StandardUpdater, list[Any]]:
    seen: list[Any] = []

    def converter(batch: Any, device: Any) -> Any:
        seen.append(device)
        return numpy.stack(batch)

    optimizer = optimizers.SGD().setup(model)
    iterator = iterators.SerialIterator([numpy.zeros(1, numpy.float32)] * 2, 2, shuffle=False)
    optimizer.update = lambda *args, **kw: None  # type: ignore[method-assign]  # no step: devices only
    return training.StandardUpdater(iterator, optimizer, converter=converter, **kwargs), seen


def test_standard_updater_device_moves_the_model_and_is_the_input_device(fake_gpus: ModuleType) -> None:
    model = L.Linear(2, 3).to_device("@cupy:1")
    assert device_id(model.W.array) == 1
    updater, seen = _recording_updater(model, device="@numpy")
    assert isinstance(model.W.array, numpy.ndarray) and model.device == CpuDevice()
    assert updater.device == get_device("@numpy") and updater.input_device == updater.device
    updater.update()
    assert seen == [CpuDevice()]


def test_standard_updater_input_device_is_what_the_converter_gets(fake_gpus: ModuleType) -> None:
    model = L.Linear(2, 3)
    updater, seen = _recording_updater(model, input_device="@cupy:1")
    assert updater.device is None
    assert isinstance(model.W.array, numpy.ndarray)  # no device: the model stays
    updater.update()
    assert seen == [get_device("@cupy:1")]
    updater, seen = _recording_updater(L.Linear(2, 3), device="@numpy", input_device="@cupy:0")
    updater.update()
    assert seen == [get_device("@cupy:0")]


def test_standard_updater_skips_gpu_to_gpu_model_moves(fake_gpus: ModuleType) -> None:
    model = L.Linear(2, 3).to_device("@cupy:1")
    updater, seen = _recording_updater(model, device="@cupy:0")
    assert device_id(model.W.array) == 1  # as Chainer's to_gpu: no GPU-to-GPU transfer
    updater.update()
    assert seen == [get_device("@cupy:0")]
    host = L.Linear(2, 3)
    _recording_updater(host, device="@cupy:0")
    assert device_id(host.W.array) == 0


def test_standard_updater_without_device_passes_none() -> None:
    updater, seen = _recording_updater(L.Linear(1, 1))
    updater.update()
    assert seen == [None] and updater.device is None and updater.input_device is None


def test_standard_updater_device_needs_a_movable_target() -> None:
    class Bare:
        target = object()

    iterator = iterators.SerialIterator([1, 2], 1)
    with pytest.raises(TypeError, match="optimizer 'main' .*no to_device"):
        training.StandardUpdater(iterator, Bare(), device="@numpy")  # type: ignore[arg-type]  # the error under test


class GanLike(training.StandardUpdater):
    """Two optimizers updated in turn, as Chainer's dcgan example does."""

    def update_core(self) -> None:
        batch = self.converter(next(self.get_iterator("main")), self.input_device)
        gen_opt, dis_opt = self.get_optimizer("gen"), self.get_optimizer("dis")
        gen, dis = gen_opt.target, dis_opt.target

        def gen_loss(x: Any) -> fchain.Variable:
            loss = F.sum(F.square(gen(x) - 1.0))
            fchain.report({"loss": loss}, gen)
            return loss

        def dis_loss(x: Any) -> fchain.Variable:
            loss = F.sum(F.square(dis(x) + 1.0))
            fchain.report({"loss": loss}, dis)
            return loss

        gen_opt.update(gen_loss, batch)
        dis_opt.update(dis_loss, batch)


def test_two_optimizers_report_and_snapshot_under_their_names(tmp_path: Any) -> None:
    gen = L.Linear(1, 1, initialW=numpy.array([[0.1]], numpy.float32))
    dis = L.Linear(1, 1, initialW=numpy.array([[0.2]], numpy.float32))
    opts: dict[str, fchain.optimizer.GradientMethod] = {
        "gen": optimizers.SGD(lr=0.01).setup(gen), "dis": optimizers.Adam().setup(dis)}
    iterator = iterators.SerialIterator(list(X), 4, shuffle=False)
    updater = GanLike(iterator, opts)
    trainer = training.Trainer(updater, (3, "iteration"), out=str(tmp_path))
    log = extensions.LogReport(trigger=(1, "iteration"), log_name=None)
    trainer.extend(log)
    trainer.extend(extensions.snapshot(filename="snap"), trigger=(3, "iteration"))
    w_gen, w_dis = weight(gen), weight(dis)
    trainer.run()
    assert weight(gen) != w_gen and weight(dis) != w_dis
    assert set(log.log[0]) >= {"gen/loss", "dis/loss"}
    with numpy.load(os.path.join(str(tmp_path), "snap")) as stored:
        keys = set(stored.files)
    assert {"updater/optimizer:gen/t", "updater/optimizer:dis/t", "updater/model:gen/W",
            "updater/model:dis/W", "updater/optimizer:dis/W/m"} <= keys
    assert int(numpy.load(os.path.join(str(tmp_path), "snap"))["updater/optimizer:dis/t"]) == 3


# ------------------------------------------------------------------ Evaluator
def test_evaluator_runs_the_model_in_test_mode_without_backprop(tmp_path: Any) -> None:
    seen: list[tuple[bool, bool]] = []

    class Probe(fchain.Chain):
        def __init__(self) -> None:
            super().__init__()
            with self.init_scope():
                self.l = L.Linear(1, 1)

        def forward(self, x: Any, t: Any) -> fchain.Variable:
            seen.append((bool(fchain.config.train), bool(fchain.config.enable_backprop)))
            loss = F.mean_squared_error(self.l(x), t)
            assert loss.creator is None  # no graph is built
            fchain.report({"loss": loss}, self)
            return loss

    probe = Probe()
    test_iter = iterators.SerialIterator(TupleDataset(X, T), 4, repeat=False, shuffle=False)
    trainer, _ = regression(str(tmp_path), (2, "iteration"))
    trainer.extend(extensions.Evaluator(test_iter, probe), trigger=(1, "iteration"))
    log = extensions.LogReport(trigger=(1, "iteration"), log_name=None)
    trainer.extend(log)
    trainer.run()
    assert seen == [(False, False)] * 4  # 2 evaluations x 2 batches
    assert "validation/main/loss" in log.log[-1]
    assert fchain.config.train and fchain.config.enable_backprop  # restored


# ------------------------------------------------------------------ snapshots
def snapshots(folder: str) -> list[str]:
    return sorted((n for n in os.listdir(folder) if n.startswith("snapshot_iter_")),
                  key=lambda n: int(n.rsplit("_", 1)[1]))


def test_snapshot_n_retains_and_autoload_resume_like_an_uninterrupted_run(tmp_path: Any) -> None:
    whole, whole_model = regression(str(tmp_path / "whole"), (5, "epoch"))
    whole.run()

    out = str(tmp_path / "run")
    first, _ = regression(out, (3, "epoch"))
    first.extend(extensions.snapshot(n_retains=2, autoload=True))
    first.run()  # nothing to load yet: starts from scratch
    assert snapshots(out) == ["snapshot_iter_4", "snapshot_iter_6"]

    second, model = regression(out, (5, "epoch"), w0=-3.0)  # autoload replaces this weight
    second.extend(extensions.snapshot(n_retains=2, autoload=True))
    second.run()
    assert second.updater.iteration == 10
    assert weight(model) == pytest.approx(weight(whole_model), rel=1e-6)
    assert snapshots(out) == ["snapshot_iter_8", "snapshot_iter_10"]


def test_autoload_takes_the_highest_number_when_mtimes_tie(tmp_path: Any) -> None:
    out = str(tmp_path)
    first, _ = regression(out, (10, "iteration"))
    first.extend(extensions.snapshot(), trigger=(1, "iteration"))
    first.run()
    stamp = os.path.getmtime(os.path.join(out, "snapshot_iter_1"))
    for name in snapshots(out):
        os.utime(os.path.join(out, name), (stamp, stamp))
    second, _ = regression(out, (12, "iteration"))
    second.extend(extensions.snapshot(autoload=True), trigger=(100, "iteration"))
    started: list[int] = []

    @make_extension(trigger=lambda tr: False, priority=-200,  # initialized after the autoload (-100)
                    initializer=lambda tr: started.append(tr.updater.iteration))
    def start(trainer: training.Trainer) -> None:
        pass

    second.extend(start)
    second.run()
    assert started == [10]  # snapshot_iter_10, not _9 (the last by name) or _1


class Boom(RuntimeError):
    pass


def _explode_at(iteration: int) -> Any:
    def explode(trainer: training.Trainer) -> None:
        if trainer.updater.iteration == iteration:
            raise Boom(f"at {iteration}")

    return explode


@pytest.mark.parametrize("on_error", [True, False])
def test_snapshot_on_error_saves_the_state_when_training_fails(tmp_path: Any, on_error: bool) -> None:
    def build(out: str, w0: float) -> tuple[training.Trainer, L.Linear]:
        trainer, model = regression(out, (10, "iteration"), w0=w0)
        trainer.extend(extensions.snapshot(filename="crash_{.updater.iteration}",
                                           snapshot_on_error=on_error), trigger=(100, "iteration"))
        trainer.extend(_explode_at(3), name="explode", trigger=(1, "iteration"))
        return trainer, model

    trainer, model = build(str(tmp_path), 0.5)
    with pytest.raises(Boom):
        trainer.run(show_loop_exception_msg=False)
    if not on_error:
        assert os.listdir(str(tmp_path)) == []
        return
    assert os.listdir(str(tmp_path)) == ["crash_3"]
    resumed, resumed_model = build(str(tmp_path / "r"), 9.0)
    serializers.load_npz(str(tmp_path / "crash_3"), resumed)
    assert resumed.updater.iteration == 3
    assert weight(resumed_model) == weight(model)


def test_snapshot_condition_decides_each_time(tmp_path: Any) -> None:
    trainer, _ = regression(str(tmp_path), (6, "iteration"))
    allow = {"now": False}
    trainer.extend(extensions.snapshot(condition=lambda: allow["now"]), trigger=(1, "iteration"))

    def toggle(trainer: training.Trainer) -> None:
        allow["now"] = trainer.updater.iteration in (2, 5)

    trainer.extend(toggle, name="toggle", trigger=(1, "iteration"), priority=1000)
    trainer.run()
    assert snapshots(str(tmp_path)) == ["snapshot_iter_2", "snapshot_iter_5"]


# ------------------------------------------------------------------ best model
SCRIPT = [3.0, 2.0, 2.5, 1.0, 1.5, 4.0]  # the score reported at each epoch


class ScoreByEpoch(training.StandardUpdater):
    """A regression updater that also reports a scripted ``score`` each iteration."""

    def update_core(self) -> None:
        super().update_core()
        epoch_index = self.iteration // 2  # 2 iterations per epoch; iteration not yet incremented
        fchain.report({"score": SCRIPT[epoch_index]})


@pytest.mark.parametrize(("trigger_cls", "expected"), [
    (triggers.MinValueTrigger, [1, 2, 4]),
    (triggers.MaxValueTrigger, [1, 6]),
])
def test_best_value_trigger_with_snapshot_object_keeps_the_best_model(
        tmp_path: Any, trigger_cls: Any, expected: list[int]) -> None:
    trainer, model = regression(str(tmp_path), (6, "epoch"))
    base = trainer.updater
    assert isinstance(base, training.StandardUpdater)
    updater = ScoreByEpoch(base.get_iterator("main"), base.get_optimizer("main"),
                           loss_func=base.loss_func)
    trainer = training.Trainer(updater, (6, "epoch"), out=str(tmp_path))
    weights: dict[int, float] = {}

    def remember(trainer: training.Trainer) -> None:
        weights[trainer.updater.epoch] = weight(model)

    trainer.extend(remember, name="remember", trigger=(1, "epoch"))
    trainer.extend(extensions.snapshot_object(model, "best_{.updater.epoch}"),
                   trigger=trigger_cls("score", trigger=(1, "epoch")))
    trainer.run()
    written = sorted(int(n.split("_")[1]) for n in os.listdir(str(tmp_path)) if n.startswith("best_"))
    assert written == expected
    best = L.Linear(1, 1, nobias=True)
    serializers.load_npz(os.path.join(str(tmp_path), f"best_{expected[-1]}"), best)
    assert weight(best) == pytest.approx(weights[expected[-1]])
