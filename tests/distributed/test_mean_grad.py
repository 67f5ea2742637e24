"""``multi_node_mean_grad`` on real MPI jobs: the mean of the ranks' gradients is the
gradient of one process on the concatenated batch, and every rank holds the same
numbers, for every communicator kind, on 2 and 3 ranks."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import fchain.links as L

from tests.distributed._common import MLP, grads_of, load, make_data
from tests.distributed._launch import requires_mpi, run_job
from tests.distributed.jobs.mean_grad import BATCH

pytestmark = requires_mpi

KINDS = ["naive", "flat", "hierarchical", "two_dimensional", "single_node", "non_cuda_aware",
         "pure_nccl"]


def _reference_grads(params: dict[str, np.ndarray], size: int) -> dict[str, np.ndarray]:
    """One process: the gradient of the mean loss over all ranks' examples."""
    model = L.Classifier(MLP(20, 10))
    x, t = make_data(BATCH * size, seed=1)
    model(x[:1], t[:1])
    for path, param in model.namedparams():
        param.array[...] = params[path]  # type: ignore[index]  # initialized above
    model.cleargrads()
    model(x, t).backward()
    return grads_of(model)


@pytest.mark.parametrize("size", [2, 3])
def test_mean_of_gradients_is_the_gradient_of_the_concatenated_batch(
        tmp_path: pathlib.Path, size: int) -> None:
    run_job("mean_grad.py", size, "--out", str(tmp_path), "--kinds", ",".join(KINDS)).check()
    for kind in KINDS:
        params = [load(str(tmp_path), f"{kind}_params_rank{r}") for r in range(size)]
        grads = [load(str(tmp_path), f"{kind}_grads_rank{r}") for r in range(size)]
        expected = _reference_grads(params[0], size)
        assert set(grads[0]) == set(expected)
        for r in range(1, size):
            for path in expected:
                # bcast_data made every rank's model rank 0's; the mean is the same bits
                np.testing.assert_array_equal(params[r][path], params[0][path], err_msg=kind)
                np.testing.assert_array_equal(grads[r][path], grads[0][path], err_msg=kind)
        for path, want in expected.items():
            np.testing.assert_allclose(grads[0][path], want, rtol=1e-5, atol=1e-7,
                                       err_msg=f"{kind} {path}")


@requires_mpi
def test_zero_fill_counts_unused_parameters_as_zero(tmp_path: pathlib.Path) -> None:
    size = 2
    run_job("mean_grad.py", size, "--out", str(tmp_path), "--kinds", "naive").check()
    x, _ = make_data(BATCH * size, seed=1)
    filled = load(str(tmp_path), "naive_zero1_rank0")
    skipped = load(str(tmp_path), "naive_zero0_rank0")
    assert set(filled) == {"/used/W", "/used/b", "/unused/W", "/unused/b"}
    assert set(skipped) == {"/used/W", "/used/b"}
    np.testing.assert_array_equal(filled["/unused/W"], 0)
    # d/db of sum(used(x_r * (r + 1))) is the batch size on each rank: the mean too
    np.testing.assert_allclose(filled["/used/b"], BATCH)
    # d/dW: the mean over ranks of sum over the batch of x_r * (r + 1)
    parts = [(x[r * BATCH:(r + 1) * BATCH, :4] * (r + 1)).sum(axis=0) for r in range(size)]
    np.testing.assert_allclose(filled["/used/W"], np.tile(np.mean(parts, axis=0), (3, 1)), rtol=1e-5)
    np.testing.assert_array_equal(skipped["/used/W"], filled["/used/W"])
