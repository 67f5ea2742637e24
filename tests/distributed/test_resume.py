"""Resuming a crashed job on real MPI jobs: each rank saves its own state; after a
crash of the whole job, a run of the same command continues from the newest
iteration *every* rank saved (here rank 1's newest snapshot is removed first, so
rank 0's newer one must be passed over) and ends with the parameters of a run that
never crashed."""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

from tests.distributed._common import load
from tests.distributed._launch import requires_mpi, run_job

pytestmark = requires_mpi

SIZE = 2


@pytest.mark.parametrize("saver", ["snapshot", "checkpointer"])
def test_resume_after_a_crash_of_the_whole_job(tmp_path: pathlib.Path, saver: str) -> None:
    whole, crashed = tmp_path / "whole", tmp_path / "crashed"
    run_job("resume.py", SIZE, "--out", str(whole), "--saver", saver).check()

    failed = run_job("resume.py", SIZE, "--out", str(crashed), "--saver", saver, "--crash-at", "8")
    assert failed.returncode != 0 and "injected crash" in failed.output, failed.output
    files = sorted(p.name for p in crashed.iterdir())
    if saver == "snapshot":
        newest = crashed / "snap_6.1"
        assert {"snap_3.0", "snap_6.0", "snap_3.1", "snap_6.1"} <= set(files), files
    else:
        newest = crashed / "run.1.6"
        assert {"run.0.6", "run.1.3", "run.1.6"} <= set(files), files
    newest.unlink()  # rank 1 died before saving iteration 6: only 3 is on both

    resumed = run_job("resume.py", SIZE, "--out", str(crashed), "--saver", saver).check()
    for rank in range(SIZE):
        first = re.search(rf"rank {rank} first iteration (\d+)", resumed.stdout)
        assert first is not None and int(first.group(1)) == 4, resumed.output
        final, expected = (load(str(d), f"final_rank{rank}") for d in (crashed, whole))
        assert set(final) == set(expected)
        for path in expected:
            np.testing.assert_array_equal(final[path], expected[path], err_msg=f"rank {rank} {path}")
