"""The GPU paths of the communicators on real MPI jobs: ``naive`` stages device
arrays through host memory (two ranks may share one GPU), ``pure_nccl`` sums them
with NCCL (one GPU per rank; with one GPU, one rank: ``pure_nccl`` and
``single_node`` still go through NCCL).  Each result is checked against the
gradient of the whole batch computed on the CPU in this process.  Skipped, with the reason, where CuPy, NCCL or
enough GPUs are missing; without a GPU the CUDA communicators say why NCCL cannot
be used."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import fchain.links as L
from fchain import initializers
from fchain.core.backend import cupy_module, gpu_available
from fchain.distributed.communicators._nccl_probe import nccl_unavailable_reason

from tests.distributed._common import MLP, grads_of, load, make_data
from tests.distributed._launch import requires_mpi, run_job
from tests.distributed.jobs.gpu import BATCH



def _gpu_count() -> int:
    cp = cupy_module()
    if cp is None or not gpu_available():
        return 0
    return int(cp.cuda.runtime.getDeviceCount())


def _whole_batch_grads(ranks: int) -> dict[str, np.ndarray]:
    """The gradient of the mean loss over every rank's examples, on the CPU, from
    rank 0's initial parameters (the job broadcasts them)."""
    initializers.set_random_seed(100)
    model = L.Classifier(MLP(20, 10))
    x, t = make_data(BATCH * ranks, seed=1)
    model(x[:1], t[:1])
    model.cleargrads()
    model(x, t).backward()
    return grads_of(model)


def _check(tmp_path: pathlib.Path, kind: str, ranks: int, gpus: int) -> None:
    run_job("gpu.py", ranks, "--out", str(tmp_path), "--kind", kind, "--gpus", str(gpus)).check()
    want = _whole_batch_grads(ranks)
    for rank in range(ranks):
        got = load(str(tmp_path), f"grads_rank{rank}")
        assert set(got) == set(want) and want, (rank, sorted(got))
        for path, grad in want.items():
            np.testing.assert_allclose(got[path], grad, rtol=1e-4, atol=1e-6,
                                       err_msg=f"{kind} rank {rank} {path}")


@requires_mpi
@pytest.mark.gpu
@pytest.mark.skipif(_gpu_count() < 1, reason="needs CuPy and a CUDA device")
def test_naive_stages_gpu_gradients_through_the_host(tmp_path: pathlib.Path) -> None:
    _check(tmp_path, "naive", 2, 1)


@requires_mpi
@pytest.mark.gpu
@pytest.mark.skipif(nccl_unavailable_reason() is not None or _gpu_count() < 1,
                    reason=f"needs NCCL and a CUDA device ({nccl_unavailable_reason() or 'no GPU'})")
@pytest.mark.parametrize("kind", ["pure_nccl", "single_node"])
def test_nccl_communicators_on_one_rank_and_one_gpu(tmp_path: pathlib.Path, kind: str) -> None:
    _check(tmp_path, kind, 1, 1)


@requires_mpi
@pytest.mark.gpu
@pytest.mark.skipif(nccl_unavailable_reason() is not None or _gpu_count() < 2,
                    reason=f"needs NCCL and two CUDA devices ({nccl_unavailable_reason() or 'one GPU'})")
def test_pure_nccl_sums_gpu_gradients_with_nccl(tmp_path: pathlib.Path) -> None:
    _check(tmp_path, "pure_nccl", 2, 2)


@pytest.mark.skipif(_gpu_count() > 0, reason="checks the message on a machine without a GPU")
def test_without_a_gpu_the_nccl_reason_is_given() -> None:
    reason = nccl_unavailable_reason()
    assert reason is not None and ("CuPy" in reason or "CUDA" in reason)
