"""Triggers fire where Chainer's do, and fire the same after a resume."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fchain.facade.serializer import AbstractSerializer
from fchain.training.triggers import (
    IntervalTrigger,
    ManualScheduleTrigger,
    OnceTrigger,
    TimeTrigger,
    get_trigger,
)
from tests.training.fakes import FakeTrainer


class DictSerializer(AbstractSerializer):
    """Records values (saving) or returns recorded ones (loading), Chainer-style."""

    def __init__(self, store: dict[str, Any], loading: bool, prefix: str = "") -> None:
        self.store = store
        self.loading = loading
        self.prefix = prefix

    def __getitem__(self, key: str) -> DictSerializer:
        return DictSerializer(self.store, self.loading, self.prefix + key + "/")

    def __call__(self, key: str, value: Any) -> Any:
        if self.loading:
            return self.store[self.prefix + key]
        self.store[self.prefix + key] = value
        return value


def fired_at(trigger: Any, trainer: FakeTrainer, steps: int) -> list[int]:
    fired = []
    for _ in range(steps):
        trainer.step()
        if trigger(trainer):
            fired.append(trainer.updater.iteration)
    return fired


def test_interval_trigger_in_iterations() -> None:
    assert fired_at(IntervalTrigger(3, "iteration"), FakeTrainer(), 10) == [3, 6, 9]


def test_interval_trigger_in_epochs() -> None:
    assert fired_at(IntervalTrigger(1, "epoch"), FakeTrainer(4), 12) == [4, 8, 12]
    assert fired_at(IntervalTrigger(0.5, "epoch"), FakeTrainer(4), 8) == [2, 4, 6, 8]


@given(period=st.integers(1, 7), steps=st.integers(1, 30), cut=st.integers(0, 30))
def test_interval_trigger_resume_fires_like_an_uninterrupted_run(period: int, steps: int, cut: int) -> None:
    cut = min(cut, steps)
    whole = fired_at(IntervalTrigger(period, "iteration"), FakeTrainer(), steps)
    trainer = FakeTrainer()
    first = IntervalTrigger(period, "iteration")
    before = fired_at(first, trainer, cut)
    store: dict[str, Any] = {}
    first.serialize(DictSerializer(store, loading=False))
    resumed = IntervalTrigger(period, "iteration")
    resumed.serialize(DictSerializer(store, loading=True))
    after = fired_at(resumed, trainer, steps - cut)
    assert before + after == whole


def test_interval_trigger_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unit"):
        IntervalTrigger(1, "epochs")
    with pytest.raises(ValueError, match="period"):
        IntervalTrigger(0, "epoch")


def test_get_trigger_shorthand() -> None:
    trigger = get_trigger((2, "iteration"))
    assert isinstance(trigger, IntervalTrigger) and trigger.get_training_length() == (2, "iteration")
    assert get_trigger(None)(FakeTrainer()) is False  # type: ignore[arg-type]  # duck-typed trainer
    with pytest.raises(TypeError):
        get_trigger(3)  # type: ignore[arg-type]  # the mistake under test


def test_manual_schedule_trigger() -> None:
    trainer = FakeTrainer(4)
    trigger = ManualScheduleTrigger([1, 3], "epoch")
    assert fired_at(trigger, trainer, 16) == [4, 12]
    assert trigger.finished
    assert fired_at(ManualScheduleTrigger(5, "iteration"), FakeTrainer(), 8) == [5]


def test_once_trigger_fires_once() -> None:
    assert fired_at(OnceTrigger(), FakeTrainer(), 5) == [1]


def test_time_trigger_uses_elapsed_time() -> None:
    trainer = FakeTrainer()
    trigger = TimeTrigger(10.0)
    fired = []
    for t in (3.0, 9.0, 11.0, 15.0, 21.0):
        trainer.elapsed_time = t
        fired.append(trigger(trainer))  # type: ignore[arg-type]  # duck-typed trainer
    assert fired == [False, False, True, False, True]


# ------------------------------------------------------------ snapshots without keys
@pytest.mark.parametrize(("unit", "period"), [("iteration", 3), ("epoch", 1)])
def test_interval_trigger_loads_a_snapshot_without_its_keys(tmp_path: Any, unit: str,
                                                            period: int) -> None:
    """An old Chainer snapshot lacks previous_iteration / previous_epoch_detail: a
    strict load warns and the trigger guesses from the updater, so (called every
    iteration) it fires where an uninterrupted run does."""
    import numpy

    from fchain.serializers import load_npz

    whole = fired_at(IntervalTrigger(period, unit), FakeTrainer(4), 20)
    trainer = FakeTrainer(4)
    fired_at(IntervalTrigger(period, unit), trainer, 7)
    path = str(tmp_path / "old.npz")
    numpy.savez(path)  # no keys at all
    resumed = IntervalTrigger(period, unit)
    with pytest.warns(UserWarning, match="IntervalTrigger: the snapshot has no previous_"):
        load_npz(path, resumed)
    assert fired_at(resumed, trainer, 13) == [i for i in whole if i > 7]


# ------------------------------------------------------------------ EarlyStopping
def early_stop_at(trigger: Any, losses_per_epoch: list[float], iters_per_epoch: int = 4) -> int | None:
    """The iteration at which ``trigger`` (a stop trigger) first fires."""
    trainer = FakeTrainer(iters_per_epoch)
    for loss in losses_per_epoch:
        for _ in range(iters_per_epoch):
            trainer.step()
            trainer.observation = {"main/loss": loss, "main/accuracy": -loss}
            if trigger(trainer):
                return int(trainer.updater.iteration)
    return None


LOSSES = [3.0, 2.0, 2.5, 2.2, 2.1, 1.0, 0.5, 0.4]


def test_early_stopping_stops_after_patience_checks_without_improvement() -> None:
    from fchain.training.triggers import EarlyStoppingTrigger

    # best 2.0 at epoch 2; epochs 3, 4, 5 do not improve: stop at the end of epoch 5
    assert early_stop_at(EarlyStoppingTrigger(patience=3), LOSSES) == 20
    assert early_stop_at(EarlyStoppingTrigger(patience=4), LOSSES) is None  # epoch 6 improves
    assert early_stop_at(EarlyStoppingTrigger(patience=1), LOSSES) == 12
    # 'auto' maximizes keys containing "accuracy" (here -loss: the same epochs)
    assert early_stop_at(EarlyStoppingTrigger(monitor="main/accuracy", patience=3), LOSSES) == 20
    assert early_stop_at(EarlyStoppingTrigger(patience=3, mode="max"), LOSSES) == 16
    # max_trigger ends training regardless
    trigger = EarlyStoppingTrigger(patience=10, max_trigger=(2, "epoch"))
    assert trigger.get_training_length() == (2, "epoch")
    assert early_stop_at(trigger, LOSSES) == 8


def test_early_stopping_accepts_the_old_patients_spelling() -> None:
    from fchain.training.triggers import EarlyStoppingTrigger

    with pytest.warns(DeprecationWarning, match="'patients' is deprecated"):
        trigger = EarlyStoppingTrigger(patients=1)
    assert trigger.patience == 1
    assert early_stop_at(trigger, LOSSES) == 12
    assert EarlyStoppingTrigger().patience == 3
    with pytest.raises(TypeError, match="patience or its old alias patients, not both"):
        EarlyStoppingTrigger(patience=2, patients=2)
