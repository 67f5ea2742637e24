"""PlotReport: a PNG when matplotlib is installed, a warning and no crash without it."""

from __future__ import annotations

import importlib.util
import json
import os
from typing import Any

import numpy
import pytest

from fchain.serializers import load_npz, save_npz
from fchain.training import extensions
from fchain.training.extensions import plot_report
from tests.training.ext_helpers import ExtTrainer

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
needs_matplotlib = pytest.mark.skipif(not HAS_MATPLOTLIB,
                                      reason="matplotlib is not installed (optional extra fchain[plot])")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def feed(ext: Any, trainer: ExtTrainer, losses: list[float]) -> None:
    for loss in losses:
        trainer.step()
        trainer.observation = {"main/loss": numpy.float32(loss), "other": 1.0}
        ext(trainer.as_trainer())


@needs_matplotlib
def test_plot_report_writes_a_png_of_interval_means(tmp_path: Any) -> None:
    out = str(tmp_path)
    trainer = ExtTrainer(iters_per_epoch=2, out=out)
    calls: list[tuple[Any, ...]] = []
    ext = extensions.PlotReport("main/loss", "iteration", trigger=(2, "iteration"), filename="loss.png",
                                postprocess=lambda *args: calls.append(args))
    assert extensions.PlotReport.available()
    feed(ext, trainer, [1.0, 3.0])
    path = os.path.join(out, "loss.png")
    with open(path, "rb") as f:
        assert f.read(8) == PNG_MAGIC
    first = os.path.getmtime(path), os.path.getsize(path)
    feed(ext, trainer, [0.5, 0.25])
    with open(path, "rb") as f:
        assert f.read(8) == PNG_MAGIC
    assert (os.path.getmtime(path), os.path.getsize(path)) != first  # redrawn with two points
    assert [name for name in os.listdir(out) if name.startswith(".tmp")] == []
    assert len(calls) == 2 and hasattr(calls[0][0], "savefig") and hasattr(calls[0][1], "plot")

    # The series (x = iteration, y = the mean over each interval) is the snapshot.
    snap = os.path.join(out, "ext.npz")
    save_npz(snap, ext)
    with numpy.load(snap) as stored:
        assert json.loads(str(stored["_plot_loss.png"])) == {"main/loss": [[2, 2.0], [4, 0.375]]}
    resumed = extensions.PlotReport(["main/loss"], trigger=(2, "iteration"), filename="loss.png")
    load_npz(snap, resumed)
    feed(resumed, trainer, [1.0, 1.0])
    save_npz(snap, resumed)
    with numpy.load(snap) as stored:
        assert json.loads(str(stored["_plot_loss.png"])) == {"main/loss": [[2, 2.0], [4, 0.375], [6, 1.0]]}


@needs_matplotlib
def test_plot_report_against_epochs_and_without_data(tmp_path: Any) -> None:
    out = str(tmp_path)
    trainer = ExtTrainer(iters_per_epoch=2, out=out)
    ext = extensions.PlotReport(["missing"], "epoch", file_name="empty.png")
    feed(ext, trainer, [1.0, 2.0])
    assert not os.path.exists(os.path.join(out, "empty.png"))  # nothing to draw
    by_epoch = extensions.PlotReport(["main/loss"], "epoch", marker=None, grid=False)
    feed(by_epoch, trainer, [1.0, 2.0])
    assert os.path.exists(os.path.join(out, "plot.png"))
    bad = extensions.PlotReport(["main/loss"], "not_observed", trigger=(1, "iteration"))
    with pytest.raises(KeyError, match="x_key 'not_observed'"):
        feed(bad, trainer, [1.0])


def test_plot_report_without_matplotlib_warns_and_does_nothing(tmp_path: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plot_report, "_available", False)
    with pytest.warns(UserWarning, match="matplotlib is not installed"):
        ext = extensions.PlotReport(["main/loss"], trigger=(1, "iteration"))
    with pytest.warns(UserWarning, match="fchain\\[plot\\]"):
        assert extensions.PlotReport.available() is False
    trainer = ExtTrainer(out=str(tmp_path))
    feed(ext, trainer, [1.0, 2.0])
    assert os.listdir(str(tmp_path)) == []
