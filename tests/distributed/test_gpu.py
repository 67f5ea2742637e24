"""The GPU paths of the communicators on real MPI jobs: ``naive`` stages device
arrays through host memory (two ranks may share one GPU), ``pure_nccl`` sums them
with NCCL (one GPU per rank).  Skipped, with the reason, where CuPy, NCCL or
enough GPUs are missing; without a GPU the CUDA communicators say why NCCL cannot
be used."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from fchain.core.backend import cupy_module, gpu_available
from fchain.distributed.communicators._nccl_probe import nccl_unavailable_reason

from tests.distributed._common import load
from tests.distributed._launch import requires_mpi, run_job



def _gpu_count() -> int:
    cp = cupy_module()
    if cp is None or not gpu_available():
        return 0
    return int(cp.cuda.runtime.getDeviceCount())


def _check(tmp_path: pathlib.Path, kind: str, gpus: int) -> None:
    run_job("gpu.py", 2, "--out", str(tmp_path), "--kind", kind, "--gpus", str(gpus)).check()
    grads = [load(str(tmp_path), f"grads_rank{r}") for r in range(2)]
    assert grads[0]
    for path in grads[0]:
        np.testing.assert_array_equal(grads[1][path], grads[0][path])


@requires_mpi
@pytest.mark.gpu
@pytest.mark.skipif(_gpu_count() < 1, reason="needs CuPy and a CUDA device")
def test_naive_stages_gpu_gradients_through_the_host(tmp_path: pathlib.Path) -> None:
    _check(tmp_path, "naive", 1)


@requires_mpi
@pytest.mark.gpu
@pytest.mark.skipif(nccl_unavailable_reason() is not None or _gpu_count() < 2,
                    reason=f"needs NCCL and two CUDA devices ({nccl_unavailable_reason() or 'one GPU'})")
def test_pure_nccl_sums_gpu_gradients_with_nccl(tmp_path: pathlib.Path) -> None:
    _check(tmp_path, "pure_nccl", 2)


@pytest.mark.skipif(_gpu_count() > 0, reason="checks the message on a machine without a GPU")
def test_without_a_gpu_the_nccl_reason_is_given() -> None:
    reason = nccl_unavailable_reason()
    assert reason is not None and ("CuPy" in reason or "CUDA" in reason)
