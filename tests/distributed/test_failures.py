"""A rank that raises, hangs, dies or leaves early must not leave the others
waiting forever: on real 3-rank MPI jobs the job ends well within its launch
timeout, with a non-zero status and an error naming the rank at fault and the
call the others were in."""

from __future__ import annotations

import pytest

from tests.distributed._launch import requires_mpi, run_job

pytestmark = requires_mpi

LIMIT = 60.0  # the launch is killed after this; each case must end well before


def _run(mode: str, timeout: float = 3.0) -> tuple[int, str, float]:
    job = run_job("failure.py", 3, "--mode", mode, "--timeout", str(timeout), timeout=LIMIT)
    assert not job.timed_out, f"{mode}: the job hung until the launch timeout:\n{job.output}"
    return job.returncode, job.output, job.seconds


def test_healthy_job_finishes() -> None:
    code, output, _ = _run("none")
    assert code == 0, output
    assert all(f"finished rank {r}" in output for r in range(3)), output


def test_a_rank_that_raises_is_named_by_the_others() -> None:
    code, output, seconds = _run("raise", timeout=300.0)
    assert code != 0, output
    assert "ValueError: injected failure" in output
    # the others learn it from the failure notice, long before their 300 s timeout
    assert "rank 1 of communicator 'naive' failed (raised ValueError: injected failure)" in output
    assert "waiting in allreduce" in output
    assert seconds < 45, seconds


def test_a_hung_rank_makes_the_others_time_out_naming_it() -> None:
    code, output, seconds = _run("stop", timeout=3.0)
    assert code != 0, output
    assert "CollectiveTimeoutError" in output
    assert "timed out in allreduce (call #" in output
    assert "rank 1: did not answer" in output
    assert seconds < 45, seconds


def test_a_killed_rank_ends_the_job() -> None:
    code, output, seconds = _run("kill", timeout=3.0)
    assert code != 0, output
    assert "rank 1" in output
    assert seconds < 45, seconds


@pytest.mark.parametrize("timeout", [300.0])
def test_a_rank_that_leaves_early_is_named(timeout: float) -> None:
    code, output, seconds = _run("exit", timeout=timeout)
    assert code != 0, output
    assert "rank 1 of communicator 'naive' has exited" in output
    assert "waiting in allreduce" in output
    assert seconds < 45, seconds
