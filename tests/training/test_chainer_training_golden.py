"""The Trainer against what Chainer 7.8.1 wrote for the same run
(``tests/fixtures/chainer/make_golden_training.py``).

Chainer's MNIST example registers its Evaluator, LogReport, PlotReport and
PrintReport with ``call_before_training=True``: the log then starts with an epoch-0
row holding the evaluation of the untrained model, and every later row holds only
its own epoch.  The same run in fchain must give the same rows (keys, epoch,
iteration and values), print the same table and plot the same series; Chainer's
snapshot of it must load into a trainer with fewer extensions, by ``load_npz`` and
by ``snapshot(autoload=True)``, and go on from iteration 8 as Chainer's does.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy
import pytest

import fchain.links as L
from fchain import datasets, iterators, optimizers, serializers, training
from fchain.errors import SerializationError
from fchain.training import extensions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chainer"
GOLDEN: dict[str, Any] = json.loads((FIXTURES / "training_golden.json").read_text())
SNAPSHOT = FIXTURES / "training_snapshot_iter_8.npz"
ENTRIES = ["epoch", "iteration", "main/loss", "main/accuracy", "validation/main/loss",
           "validation/main/accuracy"]
ERASE = "\x1b[J"


def build(out: str, full: bool, printed: io.StringIO | None = None) -> training.Trainer:
    """``make_golden_training.build`` in fchain: every extension when ``full``, else
    only the Evaluator."""
    with numpy.load(FIXTURES / "training_data.npz") as npz:
        data = {key: npz[key] for key in npz.files}
    model = L.Classifier(L.Linear(5, 3, initialW=data["W0"], initial_bias=data["b0"]))
    optimizer = optimizers.SGD(lr=0.5).setup(model)
    train = datasets.TupleDataset(data["x_train"], data["t_train"])
    test = datasets.TupleDataset(data["x_test"], data["t_test"])
    train_iter = iterators.SerialIterator(train, 10, shuffle=False)
    test_iter = iterators.SerialIterator(test, 10, repeat=False, shuffle=False)
    trainer = training.Trainer(training.StandardUpdater(train_iter, optimizer), (3, "epoch"), out=out)
    trainer.extend(extensions.Evaluator(test_iter, model), call_before_training=True)
    if full:
        trainer.extend(extensions.snapshot(), trigger=(1, "epoch"))
        trainer.extend(extensions.LogReport(), call_before_training=True)
        if extensions.PlotReport.available():
            trainer.extend(extensions.PlotReport(["validation/main/accuracy"], "epoch",
                                                 filename="accuracy.png"), call_before_training=True)
        trainer.extend(extensions.PrintReport(ENTRIES, out=printed), call_before_training=True)
    return trainer


def without_times(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "elapsed_time"} for row in log]


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("golden") / "result"
    printed = io.StringIO()
    build(str(out), True, printed).run()
    return out, printed.getvalue()


def test_log_file_has_chainers_rows_including_epoch_0(full_run: tuple[Path, str]) -> None:
    out, _ = full_run
    with open(out / "log") as f:
        log = json.load(f)
    expected = GOLDEN["log"]
    assert [sorted(row) for row in log] == [sorted(row) for row in expected]
    assert [(row["epoch"], row["iteration"]) for row in log] == [(0, 0), (1, 4), (2, 8), (3, 12)]
    assert all(isinstance(row["elapsed_time"], float) for row in log)
    for mine, chainers in zip(without_times(log), without_times(expected)):
        assert mine == pytest.approx(chainers, rel=1e-6)
    # The first row is the untrained model, and epoch 1 holds only epoch 1's
    # evaluation: not the mean of it and the pre-training one.
    assert log[0]["validation/main/accuracy"] == pytest.approx(0.1)
    assert log[1]["validation/main/accuracy"] == pytest.approx(0.95)


def test_print_report_prints_chainers_table(full_run: tuple[Path, str]) -> None:
    _, printed = full_run
    # Chainer writes the erase code before every row, fchain only on a terminal;
    # fchain drops the trailing spaces of a row's empty last cells.
    expected = [line.rstrip() for line in GOLDEN["printed"].replace(ERASE, "").splitlines()]
    assert printed.splitlines() == expected
    assert printed.endswith("\n") and ERASE not in printed


def test_plot_report_plots_the_epoch_0_point(full_run: tuple[Path, str]) -> None:
    if not extensions.PlotReport.available():
        pytest.skip("matplotlib is not installed (optional extra fchain[plot])")
    out, _ = full_run
    assert (out / "accuracy.png").is_file()
    with numpy.load(out / "snapshot_iter_8") as npz:
        plot = json.loads(str(npz["extensions/PlotReport/_plot_accuracy.png"]))
    assert plot.keys() == GOLDEN["plot"].keys()
    for key, points in GOLDEN["plot"].items():
        assert [p[0] for p in plot[key]] == [p[0] for p in points] == [0, 1, 2]
        assert [p[1] for p in plot[key]] == pytest.approx([p[1] for p in points], rel=1e-6)


def test_snapshot_has_chainers_keys(full_run: tuple[Path, str]) -> None:
    out, _ = full_run
    with numpy.load(out / "snapshot_iter_8") as npz:
        keys = set(npz.files)
    chainers = set(GOLDEN["snapshot_keys"])
    if not extensions.PlotReport.available():
        chainers = {k for k in chainers if "PlotReport" not in k}
    assert chainers <= keys
    assert all("__fchain" in key for key in keys - chainers), sorted(keys - chainers)


def test_chainers_snapshot_loads_into_a_trainer_with_fewer_extensions(tmp_path: Path) -> None:
    trainer = build(str(tmp_path), False)
    with pytest.warns(UserWarning, match="extensions/LogReport/_log") as caught:
        serializers.load_npz(SNAPSHOT, trainer)
    assert len(caught) == 1
    assert trainer.updater.iteration == GOLDEN["fewer_extensions"]["loaded_iteration"] == 8


def test_opting_in_makes_the_extra_keys_an_error(tmp_path: Path) -> None:
    trainer = build(str(tmp_path), False)
    with pytest.raises(SerializationError, match="extension_triggers/LogReport/previous_iteration"):
        serializers.load_npz(SNAPSHOT, trainer, unexpected_keys="error")
    assert trainer.updater.iteration == 0  # nothing was loaded
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        serializers.load_npz(SNAPSHOT, trainer, unexpected_keys="ignore")
    assert trainer.updater.iteration == 8


def test_autoload_resumes_chainers_snapshot_with_fewer_extensions(tmp_path: Path) -> None:
    shutil.copyfile(SNAPSHOT, tmp_path / "snapshot_iter_8")
    trainer = build(str(tmp_path), False)
    trainer.extend(extensions.snapshot(autoload=True), trigger=(1, "epoch"))
    before: list[int] = []
    trainer.extend(lambda tr: before.append(tr.updater.iteration), name="before",
                   trigger=lambda tr: False, call_before_training=True)  # no trigger state
    with pytest.warns(UserWarning, match="extensions/LogReport"):
        trainer.run()
    assert trainer.updater.iteration == GOLDEN["fewer_extensions"]["autoload_final_iteration"] == 12
    assert before == []  # a resumed run is past iteration 0: nothing is called before training
    assert sorted(os.listdir(tmp_path)) == ["snapshot_iter_12", "snapshot_iter_8"]
