"""Hyperparameter schedules: Chainer's documented values call by call, Chainer's
snapshot keys, and a resumed schedule continuing exactly like an uninterrupted one."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy
import pytest

from fchain.serializers import load_npz, save_npz
from fchain.training import extensions
from fchain.training.extensions._shift import ShiftBase
from tests.training.ext_helpers import ExtTrainer, FakeOptimizer, regression_data
from tests.arrays import values

Schedule = Callable[[], ShiftBase]


def run_schedule(ext: ShiftBase, optimizer: FakeOptimizer, attr: str, calls: int) -> list[float]:
    """The attribute after ``initialize`` and after each of ``calls`` calls."""
    trainer = ExtTrainer(main=optimizer).as_trainer()
    ext.initialize(trainer)
    values = [getattr(optimizer, attr)]
    for _ in range(calls):
        ext(trainer)
        values.append(getattr(optimizer, attr))
    return values


# name -> (factory, attr, the optimizer's value before training, expected value at call t)
CASES: dict[str, tuple[Schedule, str, float, Callable[[int], float]]] = {
    "exponential": (lambda: extensions.ExponentialShift("lr", 0.5, init=0.1), "lr", 9.0,
                    lambda t: 0.1 * 0.5 ** t),
    "exponential_from_optimizer": (lambda: extensions.ExponentialShift("lr", 0.9), "lr", 0.2,
                                   lambda t: 0.2 * 0.9 ** t),
    "exponential_target_down": (lambda: extensions.ExponentialShift("lr", 0.5, init=1.0, target=0.2),
                                "lr", 9.0, lambda t: max(0.5 ** t, 0.2)),
    "exponential_target_up": (lambda: extensions.ExponentialShift("alpha", 2.0, init=1.0, target=5.0),
                              "alpha", 9.0, lambda t: min(2.0 ** t, 5.0)),
    "step": (lambda: extensions.StepShift("lr", 0.1, 3, init=1.0), "lr", 9.0,
             lambda t: 0.1 ** (t // 3)),
    "step_target": (lambda: extensions.StepShift("lr", 0.5, 2, target=0.3), "lr", 1.0,
                    lambda t: max(0.5 ** (t // 2), 0.3)),
    "inverse": (lambda: extensions.InverseShift("lr", 0.1, 0.75, init=0.01), "lr", 9.0,
                lambda t: 0.01 * (1.0 + 0.1 * t) ** -0.75),
    "inverse_target": (lambda: extensions.InverseShift("lr", 1.0, 1.0, target=0.25), "lr", 1.0,
                       lambda t: max(1.0 / (1.0 + t), 0.25)),
    "linear": (lambda: extensions.LinearShift("momentum", (0.5, 0.9), (2, 6)), "momentum", 0.0,
               lambda t: [0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9][t]),
    "polynomial": (lambda: extensions.PolynomialShift("lr", 2.0, 4, init=1.0), "lr", 9.0,
                   lambda t: [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0][t]),
    "polynomial_target": (lambda: extensions.PolynomialShift("lr", 1.0, 10, target=0.55), "lr", 1.0,
                          lambda t: max(1.0 - t / 10, 0.55)),
    # x until call s1 (exclusive), x*y from s1, x*y*y from s2.
    "multistep": (lambda: extensions.MultistepShift("lr", 0.1, (2, 4, 7), 1.0), "lr", 9.0,
                  lambda t: 0.1 ** sum(1 for s in (2, 4, 7) if t >= s)),
    "multistep_from_optimizer": (lambda: extensions.MultistepShift("lr", 0.5, (3,), None), "lr", 0.8,
                                 lambda t: 0.8 * (0.5 if t >= 3 else 1.0)),
    # From 0 to 0.1 evenly over 4 calls, then 0.1.
    "warmup": (lambda: extensions.WarmupShift("lr", 0.0, 4, init=0.1), "lr", 9.0,
               lambda t: 0.1 * min(t, 4) / 4),
    "warmup_to_optimizer_value": (lambda: extensions.WarmupShift("lr", 0.02, 5), "lr", 0.12,
                                  lambda t: 0.02 + 0.1 * min(t, 5) / 5),
}

CALLS = 10


@pytest.mark.parametrize("case", sorted(CASES))
def test_schedule_values(case: str) -> None:
    factory, attr, start, expected = CASES[case]
    values = run_schedule(factory(), FakeOptimizer(**{attr: start}), attr, CALLS)
    numpy.testing.assert_allclose(values, [expected(t) for t in range(CALLS + 1)], rtol=1e-12, atol=1e-15)


# Chainer's snapshot keys: MultistepShift and WarmupShift store only _t.
KEYS = {"MultistepShift": {"_t"}, "WarmupShift": {"_t"}}


@pytest.mark.parametrize("cut", [0, 1, 3, 6])
@pytest.mark.parametrize("case", sorted(CASES))
def test_schedule_resumes_like_an_uninterrupted_run(case: str, cut: int, tmp_path: Any) -> None:
    factory, attr, start, _ = CASES[case]
    whole = run_schedule(factory(), FakeOptimizer(**{attr: start}), attr, CALLS)

    first = factory()
    before = run_schedule(first, FakeOptimizer(**{attr: start}), attr, cut)
    path = os.path.join(str(tmp_path), "ext.npz")
    save_npz(path, first)
    with numpy.load(path, allow_pickle=False) as stored:
        chainer_keys = {k for k in stored.files if not k.startswith("__fchain")}
        assert chainer_keys == KEYS.get(type(first).__name__, {"_t", "_last_value"})
        assert int(stored["_t"]) == cut

    # A new process: a fresh optimizer (hyperparameters are not in the snapshot)
    # and a fresh extension; initialize must restore the value set before the cut.
    resumed = factory()
    load_npz(path, resumed)
    after = run_schedule(resumed, FakeOptimizer(**{attr: start}), attr, CALLS - cut)
    assert after[0] == pytest.approx(before[-1], rel=1e-12, abs=1e-15)
    numpy.testing.assert_allclose(before + after[1:], whole, rtol=1e-12, atol=1e-15)

    # The same snapshot as Chainer writes it (no fchain keys) loads strictly too.
    chainer_path = os.path.join(str(tmp_path), "chainer.npz")
    with numpy.load(path, allow_pickle=False) as stored:
        numpy.savez(chainer_path, **{k: stored[k] for k in stored.files if not k.startswith("__fchain")})
    from_chainer = factory()
    load_npz(chainer_path, from_chainer, strict=True)
    after = run_schedule(from_chainer, FakeOptimizer(**{attr: start}), attr, CALLS - cut)
    numpy.testing.assert_allclose(before + after[1:], whole, rtol=1e-12, atol=1e-15)


def test_warmup_leaves_the_attribute_alone_after_warm_up() -> None:
    optimizer = FakeOptimizer(lr=1.0)
    trainer = ExtTrainer(main=optimizer).as_trainer()
    ext = extensions.WarmupShift("lr", 0.0, 2, init=0.5)
    ext.initialize(trainer)
    ext(trainer)
    ext(trainer)
    assert optimizer.lr == pytest.approx(0.5)  # type: ignore[attr-defined]  # set dynamically
    optimizer.lr = 0.7  # type: ignore[attr-defined]  # e.g. another schedule takes over
    ext(trainer)
    assert optimizer.lr == 0.7  # type: ignore[attr-defined]  # set dynamically


def test_multistep_passes_at_most_one_step_per_call() -> None:
    # Chainer's rule: with steps at 1 and 1, the second step comes one call later.
    values = run_schedule(extensions.MultistepShift("lr", 0.5, (1, 1), 1.0), FakeOptimizer(lr=1.0), "lr", 3)
    assert values == [1.0, 0.5, 0.25, 0.25]


def test_schedule_uses_the_given_optimizer_rather_than_main() -> None:
    main = FakeOptimizer(lr=1.0)
    other = FakeOptimizer(lr=2.0)
    trainer = ExtTrainer(main=main, other=other).as_trainer()
    ext = extensions.ExponentialShift("lr", 0.5, optimizer=other)
    ext.initialize(trainer)
    ext(trainer)
    assert (main.lr, other.lr) == (1.0, 1.0)  # type: ignore[attr-defined]  # set dynamically


def test_schedule_errors_name_the_extension_and_argument() -> None:
    with pytest.raises(ValueError, match="ExponentialShift: rate"):
        extensions.ExponentialShift("lr", -0.5)
    with pytest.raises(ValueError, match="InverseShift: gamma"):
        extensions.InverseShift("lr", -1.0, 1.0)
    with pytest.raises(ValueError, match="StepShift: step"):
        extensions.StepShift("lr", 0.5, 0)
    with pytest.raises(ValueError, match="PolynomialShift: max_count"):
        extensions.PolynomialShift("lr", 1.0, 0)
    with pytest.raises(ValueError, match="WarmupShift: warmup_iter"):
        extensions.WarmupShift("lr", 0.0, 0)
    trainer = ExtTrainer(main=FakeOptimizer(lr=0.1)).as_trainer()
    with pytest.raises(AttributeError, match="ExponentialShift.*'alpha'"):
        extensions.ExponentialShift("alpha", 0.5).initialize(trainer)


def test_schedules_on_a_real_training_run(tmp_path: Any) -> None:
    """SGD on a toy regression: the learning rate the schedule sets before each
    update is the one the update uses (checked against gradient descent done by
    hand), and observe_lr + LogReport record it."""
    import fchain.functions as F
    import fchain.links as L
    from fchain import iterators, optimizers, training
    from fchain.datasets import TupleDataset

    x, t = regression_data()
    model = L.Linear(1, 1, nobias=True, initialW=numpy.array([[0.5]], numpy.float32))
    optimizer = optimizers.SGD(lr=0.3)
    optimizer.setup(model)

    def loss_func(xb: Any, tb: Any) -> Any:
        return F.mean_squared_error(model(xb), tb)

    iterator = iterators.SerialIterator(TupleDataset(x, t), len(x), shuffle=False)
    updater = training.StandardUpdater(iterator, optimizer, loss_func=loss_func)
    trainer = training.Trainer(updater, (5, "iteration"), out=str(tmp_path))
    trainer.extend(extensions.ExponentialShift("lr", 0.5, init=0.2))
    trainer.extend(extensions.observe_lr(), trigger=(1, "iteration"))
    log = extensions.LogReport(trigger=(1, "iteration"), filename=None)
    trainer.extend(log)
    trainer.run()

    w = 0.5
    lrs = [0.2 * 0.5 ** k for k in range(5)]  # the lr in force at update k
    xs, ts = x[:, 0].astype(numpy.float64), t[:, 0].astype(numpy.float64)
    for lr in lrs:
        w -= lr * 2.0 * float(numpy.mean((w * xs - ts) * xs))
    assert float(values(model.W)[0, 0]) == pytest.approx(w, rel=1e-5)
    assert optimizer.lr == pytest.approx(0.2 * 0.5 ** 5)
    # observe_lr (writer priority) runs before the schedule (reader priority) in
    # each iteration, so it records the lr that iteration's update used.
    assert [entry["lr"] for entry in log.log] == pytest.approx(lrs)


def test_no_value_is_nan() -> None:
    for case, (factory, attr, start, _) in CASES.items():
        assert all(math.isfinite(v) for v in run_schedule(factory(), FakeOptimizer(**{attr: start}), attr, 3)), case


def _regression_trainer(out: str, stop: int) -> tuple[Any, Any, Any]:
    import fchain.functions as F
    import fchain.links as L
    from fchain import iterators, optimizers, training
    from fchain.datasets import TupleDataset

    x, t = regression_data()
    model = L.Linear(1, 1, nobias=True, initialW=numpy.array([[0.5]], numpy.float32))
    optimizer = optimizers.SGD(lr=0.3)
    optimizer.setup(model)

    def loss_func(xb: Any, tb: Any) -> Any:
        return F.mean_squared_error(model(xb), tb)

    iterator = iterators.SerialIterator(TupleDataset(x, t), 4, shuffle=False)
    updater = training.StandardUpdater(iterator, optimizer, loss_func=loss_func)
    trainer = training.Trainer(updater, (stop, "iteration"), out=out)
    trainer.extend(extensions.MultistepShift("lr", 0.5, (2, 5), None))
    trainer.extend(extensions.ExponentialShift("lr", 0.9))
    return trainer, model, optimizer


def test_schedules_resume_through_a_trainer_snapshot(tmp_path: Any) -> None:
    """Two schedules on one lr; the snapshot of the whole trainer holds their
    state under Chainer's keys and a rebuilt trainer continues identically."""
    whole, whole_model, whole_opt = _regression_trainer(str(tmp_path / "a"), 8)
    whole.run()

    first, _, _ = _regression_trainer(str(tmp_path / "b"), 3)
    first.run()
    path = str(tmp_path / "snapshot")
    save_npz(path, first)
    with numpy.load(path) as stored:
        assert int(stored["extensions/ExponentialShift/_t"]) == 3
        assert float(stored["extensions/ExponentialShift/_last_value"]) > 0
        assert int(stored["extensions/MultistepShift/_t"]) == 3
        assert "extensions/MultistepShift/_last_value" not in stored.files

    resumed, model, optimizer = _regression_trainer(str(tmp_path / "c"), 8)
    load_npz(path, resumed)
    resumed.run()
    assert optimizer.lr == pytest.approx(whole_opt.lr, rel=1e-12)
    numpy.testing.assert_allclose(model.W.array, whole_model.W.array, rtol=1e-6)
