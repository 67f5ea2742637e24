"""The MNIST example (examples/mnist/train_mnist.py) and the demo script that runs it.

The data sets are generated: decoded caches in Chainer's layout
(``<root>/pfnet/chainer/<name>/{train,test}.npz`` with ``x`` uint8 (N, 784) and ``y``
uint8 labels) under a temporary ``FCHAIN_DATASET_ROOT``, with ``XDG_DATA_DIRS``
pointing at an empty folder so a system copy (``/usr/share/datasets/...``) is never
used.  (Generated IDX files would not do: the loaders accept original files only
when their SHA-256 matches the published ones.)
"""

from __future__ import annotations

import io
import os
import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest

from examples.mnist import train_mnist
from fchain import training
from fchain.training import extensions

ROOT = pathlib.Path(__file__).resolve().parents[2]
N_TRAIN, N_TEST = 300, 120


def _write_cache(root: pathlib.Path, name: str, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    folder = root / "pfnet" / "chainer" / name
    folder.mkdir(parents=True)
    arrays = {}
    for split, n in (("train", N_TRAIN), ("test", N_TEST)):
        x = rng.integers(0, 256, (n, 784), dtype=np.uint8)
        y = rng.integers(0, 10, n, dtype=np.uint8)
        np.savez_compressed(folder / f"{split}.npz", x=x, y=y)
        arrays[split + "_x"], arrays[split + "_y"] = x, y
    return arrays


@pytest.fixture
def data_root(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    root = tmp_path / "datasets"
    root.mkdir()
    empty = tmp_path / "no-system-data"
    empty.mkdir()
    monkeypatch.setenv("FCHAIN_DATASET_ROOT", str(root))
    monkeypatch.setenv("XDG_DATA_DIRS", str(empty))
    return root


# --------------------------------------------------------------------------- flags


def test_defaults_are_chainers_except_the_tutorial_unit_count() -> None:
    args = train_mnist.parse_args([])
    assert args.batchsize == 100 and args.epoch == 20 and args.out == "result"
    assert args.device == "@numpy" and args.gpu is None and args.resume is None
    assert args.unit == 100  # the tutorial's MLP (Chainer's example: 1000)
    assert args.dataset == "fashion-mnist" and args.limit is None and args.frequency == 1
    assert args.plot is True and args.autoload is False
    assert train_mnist.device_spec(args) == "@numpy"


def test_short_flags_and_device_specifiers() -> None:
    args = train_mnist.parse_args(["-b", "7", "-e", "3", "-u", "5", "-o", "out", "-r", "snap",
                                   "-f", "-1", "--noplot", "--dataset", "mnist"])
    assert (args.batchsize, args.epoch, args.unit, args.out, args.resume, args.frequency) == (
        7, 3, 5, "out", "snap", -1)
    assert args.plot is False and args.dataset == "mnist"
    assert train_mnist.device_spec(train_mnist.parse_args(["-d", "@cupy:1"])) == "@cupy:1"
    assert train_mnist.device_spec(train_mnist.parse_args(["--device", "-1"])) == -1
    # Chainer's legacy --gpu/-g wins over --device; without a value it means GPU 0.
    assert train_mnist.device_spec(train_mnist.parse_args(["-g", "2", "-d", "@numpy"])) == 2
    assert train_mnist.device_spec(train_mnist.parse_args(["--gpu"])) == 0
    assert train_mnist.device_spec(train_mnist.parse_args(["--gpu", "-1"])) == -1


@pytest.mark.parametrize("argv", [["-b", "0"], ["--epoch", "-2"], ["-u", "0"], ["--limit", "0"],
                                  ["--frequency", "0"], ["--dataset", "cifar10"], ["-b", "x"]])
def test_bad_flags_exit_with_a_usage_error(argv: list[str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        train_mnist.parse_args(argv)
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


# --------------------------------------------------------------------------- data


def test_check_data_reports_whether_the_files_are_here(data_root: pathlib.Path) -> None:
    assert not train_mnist.data_available("fashion-mnist")
    with pytest.raises(SystemExit) as info:
        train_mnist.main(["--check-data"])
    assert info.value.code == 1
    _write_cache(data_root, "fashion-mnist", seed=0)
    assert train_mnist.data_available("fashion-mnist")
    assert not train_mnist.data_available("mnist")
    assert train_mnist.main(["--check-data"]) is None


def test_check_data_finds_original_files_in_a_system_folder(
        tmp_path: pathlib.Path, data_root: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "share"
    folder = system / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    monkeypatch.setenv("XDG_DATA_DIRS", str(system))
    names = [f"{p}-{k}-idx{d}-ubyte.gz" for p in ("train", "t10k")
             for k, d in (("images", 3), ("labels", 1))]
    for name in names[:-1]:
        (folder / name).write_bytes(b"")
    assert not train_mnist.data_available("fashion-mnist")
    (folder / names[-1][:-3]).write_bytes(b"")  # an uncompressed copy counts too
    assert train_mnist.data_available("fashion-mnist")


def test_limit_keeps_the_first_examples_scaled_to_unit_floats(data_root: pathlib.Path) -> None:
    arrays = _write_cache(data_root, "mnist", seed=1)
    train, test = train_mnist.load_datasets("mnist", limit=50)
    assert len(train) == 50 and len(test) == 50
    x, t = train[49]
    np.testing.assert_allclose(np.asarray(x), arrays["train_x"][49] / np.float32(255), rtol=1e-6)
    assert int(t) == int(arrays["train_y"][49])
    full_train, full_test = train_mnist.load_datasets("mnist")
    assert len(full_train) == N_TRAIN and len(full_test) == N_TEST


# --------------------------------------------------------------------------- training


def _run(argv: list[str]) -> tuple[str, training.Trainer]:
    out = io.StringIO()
    trainer = train_mnist.main(argv, out=out)
    assert trainer is not None
    return out.getvalue(), trainer


def test_training_prints_the_report_keeps_two_snapshots_and_a_log(
        data_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    _write_cache(data_root, "fashion-mnist", seed=2)
    out_dir = tmp_path / "result"
    printed, trainer = _run(["--limit", "200", "-e", "3", "-b", "50", "-o", str(out_dir),
                             "--seed", "0"])
    header = "  ".join(f"{e:<{max(10, len(e))}}" for e in train_mnist.REPORT_ENTRIES)
    assert header.rstrip() in printed.splitlines()
    rows = [line for line in printed.splitlines() if re.match(r"^\d+ ", line)]
    assert [int(r.split()[0]) for r in rows] == [1, 2, 3]
    assert all(len(r.split()) == 6 for r in rows)
    assert trainer.updater.iteration == 12  # 200 / 50 * 3
    plots = ["accuracy.png", "loss.png"] if extensions.PlotReport.available() else []
    assert sorted(os.listdir(out_dir)) == sorted(plots + ["log", "snapshot_iter_12", "snapshot_iter_8"])
    log = trainer.get_extension("LogReport")
    assert isinstance(log, extensions.LogReport)
    final = log.log[-1]["validation/main/accuracy"]
    assert f"Final validation accuracy: {final:.4f}" in printed
    assert "Dataset: fashion-mnist" in printed and "# unit: 100" in printed


def test_resume_flag_continues_to_the_same_parameters(
        data_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    _write_cache(data_root, "mnist", seed=3)
    common = ["--dataset", "mnist", "--limit", "100", "-b", "30", "-u", "20", "--seed", "5"]
    _, full = _run([*common, "-e", "3", "-o", str(tmp_path / "full")])
    _, first = _run([*common, "-e", "2", "-o", str(tmp_path / "first")])
    snapshot = tmp_path / "first" / f"snapshot_iter_{first.updater.iteration}"
    _, resumed = _run([*common, "-e", "3", "-o", str(tmp_path / "second"), "-r", str(snapshot)])
    assert resumed.updater.iteration == full.updater.iteration == 10  # ceil(100/30 * 3)
    full_params = dict(full.updater.get_optimizer("main").target.namedparams())
    for name, param in resumed.updater.get_optimizer("main").target.namedparams():
        np.testing.assert_array_equal(param.array, full_params[name].array, err_msg=name)
    # and the saved model in the last snapshot is that model
    final = tmp_path / "second" / "snapshot_iter_10"
    with np.load(final, allow_pickle=False) as npz:
        np.testing.assert_array_equal(npz["updater/model:main/predictor/l3/W"],
                                      full_params["/predictor/l3/W"].array)


def test_autoload_flag_continues_from_the_newest_snapshot_in_out(
        data_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """The same command run twice with --autoload: the second run (asked for one
    epoch more) starts where the first one's last snapshot left off and ends with
    the parameters of one uninterrupted run; without --autoload it starts over."""
    _write_cache(data_root, "mnist", seed=6)
    common = ["--dataset", "mnist", "--limit", "100", "-b", "30", "-u", "20", "--seed", "7",
              "--noplot"]
    _, full = _run([*common, "-e", "3", "-o", str(tmp_path / "full")])
    out = str(tmp_path / "auto")
    _, first = _run([*common, "-e", "2", "-o", out, "--autoload"])  # nothing to load yet
    assert first.updater.iteration == 7  # ceil(100/30 * 2)
    assert sorted(os.listdir(out)) == ["log", "snapshot_iter_4", "snapshot_iter_7"]
    _, second = _run([*common, "-e", "3", "-o", out, "--autoload"])
    assert second.updater.iteration == 10
    log = second.get_extension("LogReport")
    assert isinstance(log, extensions.LogReport)
    assert [e["epoch"] for e in log.log] == [1, 2, 3]  # epochs 1-2 came from the snapshot
    full_params = dict(full.updater.get_optimizer("main").target.namedparams())
    for name, param in second.updater.get_optimizer("main").target.namedparams():
        np.testing.assert_array_equal(param.array, full_params[name].array, err_msg=name)
    assert sorted(os.listdir(out)) == ["log", "snapshot_iter_10", "snapshot_iter_7"]
    _, fresh = _run([*common, "-e", "1", "-o", out])  # no --autoload: from scratch
    assert fresh.updater.iteration == 4


# --------------------------------------------------------------------------- demo.sh


@pytest.mark.skipif(shutil.which("bash") is None or not (ROOT / ".venv" / "bin" / "python").exists(),
                    reason="needs bash and the project's .venv (scripts/setup.sh)")
def test_demo_script_runs_the_example(data_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    _write_cache(data_root, "fashion-mnist", seed=4)
    env = dict(os.environ, FCHAIN_DEMO_SKIP_SETUP="1", FCHAIN_DEMO_NO_APT="1",
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh"), "--limit", "200", "--epoch", "1",
         "--out", str(tmp_path / "demo-out")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("epoch       main/loss   validation/main/loss") for line in lines)
    assert [line.split()[0] for line in lines if re.match(r"^\d+ ", line)] == ["1"]
    assert re.search(r"^Final validation accuracy: \d\.\d{4}$", done.stdout, re.MULTILINE)
    assert re.search(r"^demo: wall time \d+\.\d s$", done.stdout, re.MULTILINE)
    assert "installing" not in done.stdout  # the data was there: no apt-get
    assert (tmp_path / "demo-out" / "log").is_file()
