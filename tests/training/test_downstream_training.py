"""The typed downstream training script (tests/typing/downstream_training.py) runs."""

from __future__ import annotations

import pathlib

from tests.typing import downstream_training


def test_downstream_training_script_trains_and_resumes(tmp_path: pathlib.Path) -> None:
    accuracy, loss, epochs_counted = downstream_training.main(str(tmp_path))
    # The problem (label = sign of the first feature) is learnable in 3 epochs.
    assert accuracy >= 0.8
    assert loss < 0.6
    # The counter extension's state came back from the snapshot: 2 epochs before the
    # resume, 1 after.
    assert epochs_counted == 3
    run = tmp_path / "run"
    # n_retains=1 keeps only the newest trainer snapshot; the model snapshots exist
    # for the epochs where validation accuracy reached a new maximum (epoch 1 always).
    assert sorted(p.name for p in run.glob("snapshot_epoch_*")) == ["snapshot_epoch_3"]
    assert (run / "model_epoch_1").is_file()
    assert (run / "log").is_file()
