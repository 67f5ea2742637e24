"""The Fashion-MNIST CNN example (examples/cnn/train_fashion_cnn.py).

The data is generated and learnable: each class is a bright square at its own place
on a noisy 28x28 image, written as a decoded cache in Chainer's layout
(``<root>/pfnet/chainer/fashion-mnist/{train,test}.npz``) under a temporary
``FCHAIN_DATASET_ROOT``; ``XDG_DATA_DIRS`` points at an empty folder so a system copy
(``/usr/share/datasets/fashion-mnist``) is never read.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import fchain
import fchain.links as L
from examples.cnn import train_fashion_cnn
from examples.cnn.model import FashionCNN
from fchain import training
from fchain.training import extensions

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _images(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` noisy images (uint8, (n, 784)) and labels: class c is an 8x8 square at
    row 9 * (c // 4), column 7 * (c % 4)."""
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
    for i, c in enumerate(labels):
        r, col = 9 * (int(c) // 4), 7 * (int(c) % 4)
        images[i, r:r + 8, col:col + 8] = 230
    return images.reshape(n, 784), labels


@pytest.fixture
def data_root(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    root = tmp_path / "datasets"
    empty = tmp_path / "no-system-data"
    empty.mkdir()
    monkeypatch.setenv("FCHAIN_DATASET_ROOT", str(root))
    monkeypatch.setenv("XDG_DATA_DIRS", str(empty))
    rng = np.random.default_rng(0)
    folder = root / "pfnet" / "chainer" / "fashion-mnist"
    folder.mkdir(parents=True)
    for split, n in (("train", 300), ("test", 100)):
        x, y = _images(rng, n)
        np.savez_compressed(folder / f"{split}.npz", x=x, y=y)
    return root


def _log(trainer: training.Trainer) -> list[dict[str, float]]:
    log = trainer.get_extension("LogReport")
    assert isinstance(log, extensions.LogReport)
    return log.log


# --------------------------------------------------------------------------- flags


def test_defaults_train_ten_epochs_of_the_small_network() -> None:
    args = train_fashion_cnn.parse_args([])
    assert (args.batchsize, args.epoch, args.learnrate, args.frequency) == (100, 10, 0.001, 1)
    assert args.channels == [16, 32] and args.unit == 128
    assert args.dataset == "fashion-mnist" and args.device == "@numpy" and args.out == "result"
    assert args.resume is None and args.autoload is False and args.gpu is None
    args = train_fashion_cnn.parse_args(["-c", "8", "12", "-u", "20", "-l", "0.01", "-b", "5"])
    assert args.channels == [8, 12] and args.unit == 20 and args.learnrate == 0.01
    assert args.batchsize == 5


@pytest.mark.parametrize("argv", [["-c", "0", "4"], ["-c", "4"], ["-l", "0"], ["-u", "-1"],
                                  ["--limit", "0"], ["-f", "0"], ["--dataset", "cifar10"]])
def test_bad_flags_exit_with_a_usage_error(argv: list[str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        train_fashion_cnn.parse_args(argv)
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


# --------------------------------------------------------------------------- model


def test_the_model_is_two_conv_bn_relu_pool_blocks_and_a_classifier() -> None:
    model = FashionCNN(10, (4, 6), 12)
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    with fchain.using_config("train", False):
        y = model(x)
    assert y.shape == (3, 10)
    shapes = {name: p.shape for name, p in model.namedparams() if p.array is not None}
    assert shapes == {
        "/block1/conv/W": (4, 1, 3, 3), "/block1/bn/gamma": (4,), "/block1/bn/beta": (4,),
        "/block2/conv/W": (6, 4, 3, 3), "/block2/bn/gamma": (6,), "/block2/bn/beta": (6,),
        "/fc1/W": (12, 6 * 7 * 7), "/fc1/b": (12,), "/fc2/W": (10, 12), "/fc2/b": (10,),
    }


def test_dropout_acts_in_training_only() -> None:
    model = FashionCNN(10, (4, 6), 50, dropout=0.5)
    x = np.random.default_rng(1).random((4, 1, 28, 28), dtype=np.float32)
    with fchain.using_config("train", False):
        a, b = model(x).array, model(x).array
    np.testing.assert_array_equal(a, b)
    with fchain.using_config("train", True):
        c, d = model(x).array, model(x).array
    assert not np.array_equal(c, d)


# --------------------------------------------------------------------------- training


def test_one_short_epoch_prints_the_report_and_writes_the_log_and_a_snapshot(
        data_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    out_dir = tmp_path / "result"
    printed = io.StringIO()
    trainer = train_fashion_cnn.main(["--limit", "200", "-e", "1", "-b", "20", "-c", "4", "8",
                                      "-u", "16", "-o", str(out_dir), "--seed", "0", "--noplot"],
                                     out=printed)
    assert trainer is not None and trainer.updater.iteration == 10
    text = printed.getvalue()
    assert "Dataset: fashion-mnist" in text and "# channels: 4, 8; # unit: 16" in text
    rows = [line.split() for line in text.splitlines() if re.match(r"^\d+ ", line)]
    assert len(rows) == 1 and rows[0][0] == "1" and len(rows[0]) == 6
    assert sorted(os.listdir(out_dir)) == ["log", "snapshot_iter_10"]
    log = json.loads((out_dir / "log").read_text())
    assert [entry["epoch"] for entry in log] == [1] and log[0]["iteration"] == 10
    accuracy = log[0]["validation/main/accuracy"]
    assert f"Final validation accuracy: {accuracy:.4f}" in text
    model = L.Classifier(FashionCNN(10, (4, 8), 16))
    fchain.serializers.load_npz(out_dir / "snapshot_iter_10", model, path="updater/model:main/")
    params = dict(trainer.updater.get_optimizer("main").target.namedparams())
    for name, param in model.namedparams():
        np.testing.assert_array_equal(param.array, params[name].array, err_msg=name)
    # the running statistics were saved too, and they moved from their start (0)
    assert np.abs(model.predictor.block2.bn.avg_mean).max() > 0


def test_one_short_epoch_lowers_the_validation_loss(data_root: pathlib.Path,
                                                    tmp_path: pathlib.Path) -> None:
    args = train_fashion_cnn.parse_args(["-e", "1", "-b", "20", "-c", "8", "8", "-u", "32", "-l", "0.01",
                                         "-o", str(tmp_path / "out"), "--seed", "1", "--noplot"])
    train, test = train_fashion_cnn.load_datasets(args.dataset, limit=200)
    trainer = train_fashion_cnn.build_trainer(args, train, test, out=io.StringIO())
    evaluator = trainer.get_extension("validation")
    assert isinstance(evaluator, extensions.Evaluator)
    before = evaluator()["validation/main/loss"]  # in test mode, as during training
    trainer.run()
    entry = _log(trainer)[0]
    assert entry["validation/main/loss"] < 0.6 * before  # 10 steps: 2.31 -> 0.51 when written
    assert entry["validation/main/accuracy"] > 0.6  # chance: 0.1


def test_resume_continues_the_iterations_and_the_log(data_root: pathlib.Path,
                                                     tmp_path: pathlib.Path) -> None:
    common = ["--limit", "100", "-b", "25", "-c", "4", "4", "-u", "8", "--seed", "2", "--noplot"]
    first = train_fashion_cnn.main([*common, "-e", "1", "-o", str(tmp_path / "a")], out=io.StringIO())
    assert first is not None
    snapshot = tmp_path / "a" / "snapshot_iter_4"
    second = train_fashion_cnn.main([*common, "-e", "2", "-o", str(tmp_path / "b"), "-r", str(snapshot)],
                                    out=io.StringIO())
    assert second is not None and second.updater.iteration == 8
    assert [e["epoch"] for e in _log(second)] == [1, 2]
    assert _log(second)[0] == _log(first)[0]
    assert sorted(os.listdir(tmp_path / "b")) == ["log", "snapshot_iter_8"]


def test_the_script_runs_as_a_file(data_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """``python examples/cnn/train_fashion_cnn.py`` from another folder finds its package."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    script = str(ROOT / "examples" / "cnn" / "train_fashion_cnn.py")
    done = subprocess.run([sys.executable, script, "--check-data"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, script, "--check-data", "--dataset", "mnist"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
