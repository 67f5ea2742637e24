"""Resuming from a trainer snapshot is exact, and snapshots use Chainer's key layout.

A run interrupted right after a snapshot and resumed with ``load_npz(snapshot,
trainer)`` into an identically built trainer must produce the same per-iteration
losses, bit for bit, the same log and the same final parameters and optimizer
state as an uninterrupted run.  The order sampler is seeded (``SerialIterator(...,
seed=0)``: the iterator owns its generator, which the snapshot stores) and so are
the initializers (``numpy.random.seed``).
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable

import numpy as np
import pytest

import fchain
import fchain.links as L
from fchain import datasets, iterators, optimizers, serializers, training
from fchain.optimizer import GradientMethod
from fchain.training import extensions
from fchain.datasets.tuple_dataset import Row
from fchain.types import Array

from tests.tutorial_mlp import MLP

EPOCHS = 3
BATCH = 32
N_TRAIN = 250  # not a multiple of BATCH: epochs end inside a batch
ITERS_PER_EPOCH = N_TRAIN / BATCH  # 7.8125


def toy_split(n: int, seed: int) -> datasets.TupleDataset[tuple[Row, Row]]:
    prototypes = np.random.default_rng(123).random((10, 784), dtype=np.float32)
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 10, n).astype(np.int32)
    x = np.clip(prototypes[t] + rng.normal(0.0, 0.3, (n, 784)), 0.0, 1.0).astype(np.float32)
    return datasets.TupleDataset(x, t)


class Interrupted(Exception):
    pass


class Interrupt(training.Extension):
    """Raises after the snapshot of iteration ``at`` was written (lowest priority)."""

    priority = -1000  # after the snapshot (-100); the trigger is every iteration

    def __init__(self, at: int | None) -> None:
        self.at = at

    def __call__(self, trainer: training.Trainer) -> None:
        if trainer.updater.iteration == self.at:
            raise Interrupted(f"stopped at iteration {self.at}")


OPTIMIZERS: dict[str, Callable[[], GradientMethod]] = {
    "SGD": lambda: optimizers.SGD(),
    "MomentumSGD": lambda: optimizers.MomentumSGD(lr=0.05),
    "Adam": lambda: optimizers.Adam(),
}


def build(out: pathlib.Path, make_optimizer: Callable[[], GradientMethod],
          snapshot_trigger: tuple[int, str], interrupt_at: int | None = None,
          ) -> tuple[training.Trainer, list[float]]:
    """The trainer every run uses; returns it and the list its recorder fills with
    each iteration's main/loss."""
    np.random.seed(0)
    train, test = toy_split(N_TRAIN, seed=1), toy_split(64, seed=2)
    train_iter = iterators.SerialIterator(train, BATCH, shuffle=True, seed=0)
    test_iter = iterators.SerialIterator(test, BATCH, repeat=False, shuffle=False)
    model = L.Classifier(MLP(30, 10))
    optimizer = make_optimizer()
    optimizer.setup(model)
    updater = training.StandardUpdater(train_iter, optimizer)
    trainer = training.Trainer(updater, (EPOCHS, "epoch"), out=str(out))
    losses: list[float] = []

    def record(trainer: training.Trainer) -> None:
        losses.append(float(trainer.observation["main/loss"].array))

    trainer.extend(extensions.Evaluator(test_iter, model))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.snapshot(), trigger=snapshot_trigger)
    trainer.extend(record, name="record", trigger=(1, "iteration"))
    trainer.extend(Interrupt(interrupt_at), name="interrupt")
    return trainer, losses


def state(trainer: training.Trainer) -> dict[str, Array]:
    """Everything a snapshot of ``trainer`` holds, except wall-clock times."""
    store = serializers.DictionarySerializer()
    trainer.serialize(store)
    arrays = dict(store.target)
    del arrays["_snapshot_elapsed_time"]
    return arrays


def log_without_times(trainer: training.Trainer) -> list[dict[str, float]]:
    log = trainer.get_extension("LogReport")
    assert isinstance(log, extensions.LogReport)
    return [{k: v for k, v in entry.items() if k != "elapsed_time"} for entry in log.log]


CASES = [
    pytest.param((1, "epoch"), 1, id="epoch-1"),
    pytest.param((1, "epoch"), 2, id="epoch-2"),
    pytest.param((5, "iteration"), 2, id="iteration-10-mid-epoch"),
]


def _stop_iteration(snapshot_trigger: tuple[int, str], k: int) -> int:
    if snapshot_trigger[1] == "epoch":
        # the iteration whose batch completes epoch k
        return int(np.ceil(k * ITERS_PER_EPOCH))
    return snapshot_trigger[0] * k


@pytest.mark.parametrize("optimizer_name", list(OPTIMIZERS))
@pytest.mark.parametrize(("snapshot_trigger", "k"), CASES)
def test_resumed_run_equals_uninterrupted_run(
        optimizer_name: str, snapshot_trigger: tuple[int, str], k: int,
        tmp_path: pathlib.Path) -> None:
    make_optimizer = OPTIMIZERS[optimizer_name]
    full, full_losses = build(tmp_path / "full", make_optimizer, snapshot_trigger)
    full.run()
    total = full.updater.iteration
    assert total == int(np.ceil(EPOCHS * ITERS_PER_EPOCH))
    assert len(full_losses) == total

    stop = _stop_iteration(snapshot_trigger, k)
    first, first_losses = build(tmp_path / "cut", make_optimizer, snapshot_trigger, interrupt_at=stop)
    with pytest.raises(Interrupted):
        first.run(show_loop_exception_msg=False)
    assert first_losses == full_losses[:stop]
    snapshot_path = tmp_path / "cut" / f"snapshot_iter_{stop}"
    assert snapshot_path.is_file()

    resumed, resumed_losses = build(tmp_path / "cut", make_optimizer, snapshot_trigger)
    serializers.load_npz(str(snapshot_path), resumed)
    assert resumed.updater.iteration == stop
    resumed.run()

    assert resumed_losses == full_losses[stop:]  # bit for bit
    assert resumed.updater.iteration == total
    assert log_without_times(resumed) == log_without_times(full)
    full_params = dict(full.updater.get_optimizer("main").target.namedparams())
    resumed_params = dict(resumed.updater.get_optimizer("main").target.namedparams())
    assert sorted(full_params) == sorted(resumed_params)
    for name, param in full_params.items():
        np.testing.assert_array_equal(resumed_params[name].array, param.array, err_msg=name)
    full_state, resumed_state = state(full), state(resumed)
    assert sorted(full_state) == sorted(resumed_state)
    for key, value in full_state.items():
        if key == "extensions/LogReport/_log":
            continue  # holds elapsed times; compared above without them
        np.testing.assert_array_equal(resumed_state[key], value, err_msg=key)
    # Snapshots after the resume continue the same sequence of files.
    if snapshot_trigger[1] == "epoch":
        assert (tmp_path / "cut" / f"snapshot_iter_{total}").is_file()


def test_a_resume_that_loads_nothing_differs(tmp_path: pathlib.Path) -> None:
    """The comparison above can fail: without load_npz the second run starts over and
    its losses are not the tail of the uninterrupted run's."""
    full, full_losses = build(tmp_path / "full", OPTIMIZERS["SGD"], (1, "epoch"))
    full.run()
    fresh, fresh_losses = build(tmp_path / "fresh", OPTIMIZERS["SGD"], (1, "epoch"))
    fresh.run()
    assert fresh_losses == full_losses  # same seeds, same run
    stop = _stop_iteration((1, "epoch"), 1)
    assert fresh_losses[: len(full_losses) - stop] != full_losses[stop:]


def expected_snapshot_keys(extension_names: list[str]) -> set[str]:
    """Chainer's trainer snapshot layout for this trainer (SGD, three Linear layers
    under a Classifier), plus fchain's documented additions."""
    keys = {
        "_snapshot_elapsed_time",
        "stop_trigger/previous_iteration",
        "stop_trigger/previous_epoch_detail",
        "updater/iteration",
        "updater/optimizer:main/t",
        "updater/optimizer:main/epoch",
        "extensions/LogReport/_log",
        "extensions/LogReport/_summary/_names",
        "extensions/LogReport/_trigger/previous_iteration",
        "extensions/LogReport/_trigger/previous_epoch_detail",
    }
    keys |= {f"updater/iterator:main/{name}" for name in
             ("current_position", "epoch", "is_new_epoch", "order", "previous_epoch_detail")}
    for layer in ("l1", "l2", "l3"):
        for p in ("W", "b"):
            keys.add(f"updater/model:main/predictor/{layer}/{p}")
            keys.add(f"updater/optimizer:main/predictor/{layer}/{p}/t")
    for name in extension_names:
        keys.add(f"extension_triggers/{name}/previous_iteration")
        keys.add(f"extension_triggers/{name}/previous_epoch_detail")
    # fchain's additions (Chainer ignores extra keys): format version, the SGD
    # hyperparameter, the iterator's own generator state.
    keys |= {
        "__fchain_version__",
        "updater/optimizer:main/__fchain__/hyperparam/lr",
        "updater/iterator:main/order_sampler/rng_state",
    }
    return keys


def test_snapshot_keys_follow_chainers_layout(tmp_path: pathlib.Path) -> None:
    trainer, _ = build(tmp_path, OPTIMIZERS["SGD"], (1, "epoch"))
    trainer.run()
    stop = _stop_iteration((1, "epoch"), 1)
    path = tmp_path / f"snapshot_iter_{stop}"
    with np.load(path, allow_pickle=False) as npz:
        keys = set(npz.files)
        log_json = str(npz["extensions/LogReport/_log"])
        iteration = int(npz["updater/iteration"])
        position = int(npz["updater/iterator:main/current_position"])
        order = npz["updater/iterator:main/order"]
        w1 = npz["updater/model:main/predictor/l1/W"]
    names = ["validation", "LogReport", "_Snapshot", "record", "interrupt"]
    assert keys == expected_snapshot_keys(names)
    assert iteration == stop
    assert position == (stop * BATCH) % N_TRAIN
    assert sorted(order.tolist()) == list(range(N_TRAIN))
    assert w1.shape == (30, 784) and w1.dtype == np.float32
    assert '"epoch": 1' in log_json
    # The snapshot is a plain npz: no member needs unpickling (np.load above refused
    # pickles), and it loads back into a fresh trainer.
    fresh, _ = build(tmp_path / "fresh", OPTIMIZERS["SGD"], (1, "epoch"))
    serializers.load_npz(os.fspath(path), fresh)
    assert fresh.updater.iteration == stop
