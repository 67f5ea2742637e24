"""The ChainerMN MNIST example (examples/distributed/train_mnist_mpi.py) on two real
MPI ranks, on a generated Fashion-MNIST cache in Chainer's layout whose classes
are easy to tell apart (class ``c`` has bright pixels in the ``c``-th tenth of the
image): it learns, reports once, snapshots every rank's state each epoch and, run
again with more epochs, resumes from them."""

from __future__ import annotations

import pathlib
import re

import numpy as np

from tests.distributed._launch import requires_mpi, run_job

pytestmark = requires_mpi

N_TRAIN, N_TEST = 400, 200
EXAMPLE = "examples/distributed/train_mnist_mpi.py"


def _write_cache(root: pathlib.Path) -> None:
    folder = root / "pfnet" / "chainer" / "fashion-mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", N_TRAIN), ("test", N_TEST)):
        y = rng.integers(0, 10, n).astype(np.uint8)
        x = rng.integers(0, 60, (n, 784)).astype(np.uint8)
        for i, label in enumerate(y.tolist()):
            x[i, label * 78:(label + 1) * 78] += 150
        np.savez_compressed(folder / f"{split}.npz", x=x, y=y)


def test_the_example_learns_snapshots_and_resumes(tmp_path: pathlib.Path) -> None:
    data, empty, out = tmp_path / "data", tmp_path / "empty", tmp_path / "result"
    _write_cache(data)
    empty.mkdir()
    env = {"FCHAIN_DATASET_ROOT": str(data), "XDG_DATA_DIRS": str(empty)}
    args = ["--unit", "50", "--batchsize", "20", "--out", str(out), "--noprogress", "--timeout", "60"]
    first = run_job(EXAMPLE, 2, *args, "--epoch", "2",
                    env=env).check()
    assert first.stdout.count("Num process (COMM_WORLD): 2") == 1  # rank 0 reports
    accuracy = re.search(r"Final validation accuracy: ([0-9.]+)", first.stdout)
    assert accuracy is not None and float(accuracy.group(1)) > 0.8, first.output
    names = {p.name for p in out.iterdir()}
    assert {"snapshot_epoch_1.0", "snapshot_epoch_1.1", "snapshot_epoch_2.0",
            "snapshot_epoch_2.1"} <= names, names

    again = run_job(EXAMPLE, 2, *args, "--epoch", "3",
                    env=env).check()
    def rows(text: str) -> dict[str, str]:
        found = re.findall(r"^\S*?(\d+)(\s+[0-9.]+\s+[0-9.].*)$", text, re.M)
        return dict(found)

    before, after = rows(first.stdout), rows(again.stdout)
    assert set(after) == {"1", "2", "3"}, again.output
    # epochs 1 and 2 come back from the snapshots' log, elapsed times and all:
    # they were not trained again
    assert after["1"] == before["1"] and after["2"] == before["2"]
