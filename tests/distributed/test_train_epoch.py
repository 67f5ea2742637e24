"""Data-parallel training on real MPI jobs: two ranks that train the tutorial MLP for
an epoch (``scatter_dataset``, the multi-node optimizer, a ``Trainer``) end with
the same parameters, equal to one process trained on batches twice as large; the
scattered shares partition the dataset; the multi-node evaluator reports what one
process evaluating the whole test set reports."""

from __future__ import annotations

import json
import pathlib

import numpy as np

import fchain.links as L
from fchain import datasets, initializers, iterators, optimizers
from fchain.training import extensions

from tests.distributed._common import MLP, load, make_data, params_of
from tests.distributed._launch import requires_mpi, run_job
from tests.distributed.jobs.train_epoch import BATCH, N_TEST, N_TRAIN, SEED, UNITS

pytestmark = requires_mpi

SIZE = 2


def _single_process(shares: list[list[int]]) -> tuple[L.Classifier[MLP], dict[str, float]]:
    """One process: the same start as rank 0, each step's batch the ranks' batches
    of that step together (twice the size), then the whole test set evaluated."""
    initializers.set_random_seed(SEED)
    model = L.Classifier(MLP(UNITS, 10))
    optimizer = optimizers.MomentumSGD(lr=0.05).setup(model)
    x, t = make_data(N_TRAIN + N_TEST, seed=3)
    steps = len(shares[0]) // BATCH
    for k in range(steps):
        rows = [i for share in shares for i in share[k * BATCH:(k + 1) * BATCH]]
        optimizer.update(model, x[rows], t[rows])
    test = datasets.TupleDataset(x[N_TRAIN:], t[N_TRAIN:])
    evaluator = extensions.Evaluator(iterators.SerialIterator(test, BATCH, repeat=False,
                                                              shuffle=False), model)
    evaluator.name = "validation"  # as the trainer names it
    return model, evaluator()


def test_two_ranks_train_like_one_process_with_the_doubled_batch(tmp_path: pathlib.Path) -> None:
    run_job("train_epoch.py", SIZE, "--out", str(tmp_path)).check()
    reports = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(SIZE)]
    params = [load(str(tmp_path), f"params_rank{r}") for r in range(SIZE)]
    shares = [report["indices"] for report in reports]

    # scatter_dataset: equal shares that cover every example exactly once
    assert [len(s) for s in shares] == [N_TRAIN // SIZE] * SIZE
    assert sorted(i for share in shares for i in share) == list(range(N_TRAIN))
    assert shares[0] != sorted(shares[0])  # shuffled

    # one epoch, and the same parameters on every rank, bit for bit
    assert [report["iterations"] for report in reports] == [N_TRAIN // SIZE // BATCH] * SIZE
    for path in params[0]:
        np.testing.assert_array_equal(params[1][path], params[0][path], err_msg=path)

    model, evaluation = _single_process(shares)
    expected = params_of(model)
    assert set(expected) == set(params[0])
    for path, want in expected.items():
        np.testing.assert_allclose(params[0][path], want, rtol=1e-4, atol=1e-5, err_msg=path)
    # the start was rank 0's (rank 1 drew other numbers): training moved it
    initializers.set_random_seed(SEED)
    start = L.Classifier(MLP(UNITS, 10))
    x, t = make_data(1, seed=3)
    start(x, t)
    assert not np.allclose(params_of(start)["/predictor/l1/W"], params[0]["/predictor/l1/W"])

    # the multi-node evaluator: every rank reports the one-process evaluation
    for report in reports:
        assert set(report["evaluation"]) == set(evaluation)
        for key, value in evaluation.items():
            assert abs(report["evaluation"][key] - value) < 1e-5, (key, report, evaluation)
