"""``MultiNodeBatchNormalization`` on real MPI jobs: each rank's output is its part
of single-process batch normalization of the whole batch; the input gradient is
that of the sum of the ranks' losses, the gamma/beta gradients the mean over ranks
(what the multi-node optimizer makes of them anyway); the running statistics are
those of the whole batch.  ``create_mnbn_model`` converts a chain's link."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L

from tests.distributed._common import load
from tests.distributed._launch import requires_mpi, run_job
from tests.distributed.jobs.batch_norm import BETA, CHANNELS, GAMMA, PART, batch

pytestmark = requires_mpi


@pytest.mark.parametrize("size", [2, 3])
def test_multi_node_batch_normalization_is_batch_normalization_of_the_whole_batch(
        tmp_path: pathlib.Path, size: int) -> None:
    run_job("batch_norm.py", size, "--out", str(tmp_path)).check()
    x_all, w_all = batch(size)
    bn = L.BatchNormalization(CHANNELS, decay=0.5)
    assert bn.gamma is not None and bn.gamma.array is not None
    assert bn.beta is not None and bn.beta.array is not None
    bn.gamma.array[...] = GAMMA
    bn.beta.array[...] = BETA
    x = fchain.Variable(x_all)
    y = bn(x)
    F.sum(y * w_all).backward()
    with fchain.using_config("train", False):
        y_test = bn(x_all).array
    plain = L.BatchNormalization(CHANNELS)(x_all).array
    gx, ggamma, gbeta = x.grad, bn.gamma.grad, bn.beta.grad
    assert gx is not None and ggamma is not None and gbeta is not None
    for r in range(size):
        mine = slice(r * PART, (r + 1) * PART)
        got = load(str(tmp_path), f"bn_rank{r}")
        np.testing.assert_allclose(got["y"], y.array[mine], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(got["gx"], gx[mine], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got["ggamma"], ggamma / size, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got["gbeta"], gbeta / size, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got["avg_mean"], bn.avg_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got["avg_var"], bn.avg_var, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(load(str(tmp_path), f"bn_test_rank{r}")["y"], y_test[mine],
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(load(str(tmp_path), f"converted_rank{r}")["y"], plain[mine],
                                   rtol=1e-5, atol=1e-5)
