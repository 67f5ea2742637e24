"""Model parallelism on real MPI jobs: a network split across 2 and 3 ranks with
``MultiNodeChainList`` gives the output and the gradients of the same network in
one process."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import fchain
import fchain.functions as F

from tests.distributed._common import load
from tests.distributed._launch import requires_mpi, run_job
from tests.distributed.jobs.model_parallel import data, stages

pytestmark = requires_mpi

# Which stage each rank's ChainList index holds (the job's plans).
PLACES = {2: {0: "ad", 1: "bc"}, 3: {0: "ad", 1: "b", 2: "c"}}


@pytest.mark.parametrize("size", [2, 3])
def test_split_network_matches_one_process(tmp_path: pathlib.Path, size: int) -> None:
    run_job("model_parallel.py", size, "--out", str(tmp_path)).check()
    parts = dict(zip("abcd", stages(), strict=True))
    x, w = data()
    y = fchain.Variable(x)
    for name in "abcd":
        y = parts[name](y)
    F.sum(y * w).backward()
    np.testing.assert_allclose(load(str(tmp_path), "output")["y"], y.array, rtol=1e-6)
    for rank, names in PLACES[size].items():
        grads = load(str(tmp_path), f"grads_rank{rank}")
        assert set(grads) == {f"/{i}/fc/{p}" for i in range(len(names)) for p in "Wb"}
        for index, name in enumerate(names):
            for p in "Wb":
                want = getattr(parts[name].fc, p).grad
                np.testing.assert_allclose(grads[f"/{index}/fc/{p}"], want, rtol=1e-5, atol=1e-7,
                                           err_msg=f"rank {rank} stage {name} {p}")
