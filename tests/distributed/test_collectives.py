"""Every communicator method, the multi-node and synchronized iterators, the
differentiable collectives (forward and backward) and ``scatter_dataset``'s
shares, on real MPI jobs of 2 and 3 ranks."""

from __future__ import annotations

import json
import pathlib

import pytest

from tests.distributed._launch import requires_mpi, run_job

pytestmark = requires_mpi

CHECKS = ["arrays naive", "arrays hierarchical", "arrays two_dimensional", "objects",
          "datasets", "iterators", "functions"]


@pytest.mark.parametrize("size", [2, 3])
def test_collectives_on_every_rank(tmp_path: pathlib.Path, size: int) -> None:
    job = run_job("collectives.py", size, "--out", str(tmp_path)).check()
    for check in CHECKS:
        for rank in range(size):
            assert f"PASS {check} rank {rank}" in job.stdout, (check, rank, job.output)

    shares = [json.loads((tmp_path / f"shares_rank{r}.json").read_text()) for r in range(size)]
    for n in (10, 11, 1):
        exact = [share[f"{n}_0"] for share in shares]
        # an exact partition: every example once, lengths differing by at most one
        assert sorted(i for part in exact for i in part) == list(range(n))
        assert max(map(len, exact)) - min(map(len, exact)) <= 1
        equal = [share[f"{n}_1"] for share in shares]
        # equal lengths, every example at least once (overlapping only when needed)
        assert len({len(part) for part in equal}) == 1
        assert set(i for part in equal for i in part) == set(range(n))
        if n % size == 0:
            assert sorted(i for part in equal for i in part) == list(range(n))
