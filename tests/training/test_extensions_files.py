"""Files the extensions write: LogReport's name (Chainer's defaults and formatting)
and the permissions of logs, plots and snapshots (0o666 less the umask)."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
from collections.abc import Iterator
from typing import Any

import numpy
import pytest

from fchain.training import extensions
from tests.training.ext_helpers import ExtTrainer


@pytest.fixture(params=[0o022, 0o027], ids=["umask022", "umask027"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    mask = int(request.param)
    previous = os.umask(mask)
    try:
        yield mask
    finally:
        os.umask(previous)


def mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def feed(ext: Any, trainer: ExtTrainer, n: int) -> None:
    for i in range(n):
        trainer.step()
        trainer.observation = {"main/loss": float(i + 1)}
        ext(trainer.as_trainer())


# ------------------------------------------------------------------ LogReport names
def test_log_report_filename_none_is_the_default_log(tmp_path: Any) -> None:
    trainer = ExtTrainer(iters_per_epoch=2, out=str(tmp_path))
    feed(extensions.LogReport(filename=None), trainer, 2)
    with open(tmp_path / "log") as f:
        assert [e["epoch"] for e in json.load(f)] == [1]


def test_log_report_log_name_none_writes_no_file(tmp_path: Any) -> None:
    trainer = ExtTrainer(iters_per_epoch=2, out=str(tmp_path))
    report = extensions.LogReport(log_name=None)
    feed(report, trainer, 4)
    assert os.listdir(tmp_path) == []
    assert [e["epoch"] for e in report.log] == [1, 2]


def test_log_report_name_is_formatted_with_the_entry(tmp_path: Any) -> None:
    trainer = ExtTrainer(iters_per_epoch=2, out=str(tmp_path))
    feed(extensions.LogReport(filename="log_{epoch}_{iteration}"), trainer, 4)
    assert sorted(os.listdir(tmp_path)) == ["log_1_2", "log_2_4"]
    with open(tmp_path / "log_2_4") as f:
        entries = json.load(f)
    assert [e["main/loss"] for e in entries] == [1.5, 3.5]  # the whole log, means per epoch
    trainer2 = ExtTrainer(iters_per_epoch=2, out=str(tmp_path / "old"))
    feed(extensions.LogReport(log_name="epoch{epoch}.json"), trainer2, 2)  # Chainer's old spelling
    assert os.listdir(tmp_path / "old") == ["epoch1.json"]


def test_log_report_name_with_an_unknown_key_says_which_keys_exist(tmp_path: Any) -> None:
    trainer = ExtTrainer(iters_per_epoch=1, out=str(tmp_path))
    with pytest.raises(KeyError, match=r"'log_\{step\}' names 'step'.*'elapsed_time', 'epoch'"):
        feed(extensions.LogReport(filename="log_{step}"), trainer, 1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'name'"):
        extensions.LogReport(name="x")  # type: ignore[call-arg]  # the error under test


# ------------------------------------------------------------------ permissions
def test_log_report_file_has_the_usual_permissions(tmp_path: Any, umask: int) -> None:
    trainer = ExtTrainer(iters_per_epoch=1, out=str(tmp_path))
    feed(extensions.LogReport(), trainer, 2)  # written twice: the replacement keeps the mode
    assert mode(str(tmp_path / "log")) == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["log"]  # no temporary file left


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                    reason="matplotlib is not installed (optional extra fchain[plot])")
def test_plot_report_file_has_the_usual_permissions(tmp_path: Any, umask: int) -> None:
    trainer = ExtTrainer(iters_per_epoch=1, out=str(tmp_path))
    feed(extensions.PlotReport(["main/loss"], filename="loss.png"), trainer, 2)
    path = str(tmp_path / "loss.png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert mode(path) == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["loss.png"]
    # The format follows the name's extension, not the temporary file's.
    feed(extensions.PlotReport(["main/loss"], filename="loss.svg"), trainer, 1)
    with open(tmp_path / "loss.svg", "rb") as f:
        assert b"<svg" in f.read(400)


def test_snapshot_files_have_the_usual_permissions(tmp_path: Any, umask: int) -> None:
    """The default writer (save_npz) and a user's savefun get the same mode."""
    trainer = ExtTrainer(iters_per_epoch=1, out=str(tmp_path))
    target = {"w": numpy.arange(3.0)}

    class Target:
        def serialize(self, serializer: Any) -> None:
            serializer("w", target["w"])

    def savefun(path: str, obj: Any) -> None:
        with open(path, "wb") as f:
            numpy.save(f, target["w"])

    extensions.snapshot_object(Target(), "default_{.updater.iteration}")(trainer.as_trainer())
    extensions.snapshot_object(Target(), "custom", savefun=savefun)(trainer.as_trainer())
    assert sorted(os.listdir(tmp_path)) == ["custom", "default_0"]
    assert mode(str(tmp_path / "default_0")) == 0o666 & ~umask
    assert mode(str(tmp_path / "custom")) == 0o666 & ~umask
    numpy.testing.assert_array_equal(numpy.load(str(tmp_path / "custom")), target["w"])


# ------------------------------------------------------------------ a user's savefun
def test_snapshot_with_numpy_savez_writes_the_named_file(tmp_path: Any) -> None:
    """numpy.savez appends '.npz' to a name without it: the temporary name it gets
    must end with the real one, or it writes elsewhere and an empty file is renamed."""
    trainer = ExtTrainer(iters_per_epoch=1, out=str(tmp_path))
    weights = numpy.arange(4.0)

    def savefun(path: str, obj: Any) -> None:
        numpy.savez(path, w=obj["w"])

    extensions.snapshot_object({"w": weights}, "snap.npz", savefun=savefun)(trainer.as_trainer())
    assert os.listdir(tmp_path) == ["snap.npz"]  # no stray temporary file or folder
    with numpy.load(str(tmp_path / "snap.npz")) as data:
        numpy.testing.assert_array_equal(data["w"], weights)


def test_snapshot_whose_savefun_fails_keeps_the_previous_file(tmp_path: Any) -> None:
    trainer = ExtTrainer(iters_per_epoch=1, out=str(tmp_path))
    (tmp_path / "snap").write_bytes(b"previous")

    def savefun(path: str, obj: Any) -> None:
        with open(path, "wb") as f:
            f.write(b"half")
        raise OSError("disk full (simulated)")

    with pytest.raises(OSError, match="simulated"):
        extensions.snapshot_object({}, "snap", savefun=savefun)(trainer.as_trainer())
    assert os.listdir(tmp_path) == ["snap"]
    assert (tmp_path / "snap").read_bytes() == b"previous"


def test_snapshot_whose_savefun_writes_another_name_is_an_error(tmp_path: Any) -> None:
    """Chainer's default name has no extension, so numpy.savez writes 'name.npz'
    beside the path it is given; that is refused instead of saving an empty file."""
    trainer = ExtTrainer(iters_per_epoch=1, out=str(tmp_path))

    def savefun(path: str, obj: Any) -> None:
        numpy.savez(path, w=numpy.ones(1))

    with pytest.raises(OSError, match=r"left it empty and wrote \['snapshot_iter_0.npz'\]"):
        extensions.snapshot_object({}, "snapshot_iter_{.updater.iteration}",
                                   savefun=savefun)(trainer.as_trainer())
    assert os.listdir(tmp_path) == []
