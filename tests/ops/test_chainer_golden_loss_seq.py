"""The loss functions of issue 13 give Chainer 7.8.1's numbers.

``tests/fixtures/chainer/ops_loss_seq_cases.json`` / ``ops_loss_seq.npz`` (made by
``make_golden_ops_loss_seq.py`` there, with real Chainer) hold a few representative
calls per function; each is replayed in fchain (``tests/ops/chainer_golden.py``),
forward and backward separately, and compared bit for bit (the raw bytes, so even
the sign of a zero counts), unless ``ULPS`` names that part with the units in the
last place it is allowed and why, or ``XFAIL`` documents a real difference.
"""

from __future__ import annotations

import pytest

from tests.ops.chainer_golden import Budget, GoldenSet, Known, check_budgets, params, run

GOLDEN = GoldenSet("ops_loss_seq")

_BLAS = ("dot products (BLAS): fchain's numpy 2 ships OpenBLAS 0.3.31, Chainer's numpy 1.26 OpenBLAS 0.3.23, "
         "whose kernels add in another order (replayed under Chainer's numpy, fchain's numbers are Chainer's "
         "bit for bit)")
_EINSUM = ("the scores: Chainer's forward uses einsum('ij,ikj->ik'), fchain a batched matmul (Chainer's own "
           "backward computes them as fchain does, with dot)")
_ZERO_SIGNS = ("signs of zeros only: off the path, Chainer's gradient is its max's gy * mask, summed and "
               "split back step by step (-0 in some places, +0 in others), fchain's a where() giving +0")
_LOG_SOFTMAX = ("fchain's log-probabilities are log_softmax(x), Chainer's log(softmax(x)) (log-zero where the "
                "softmax underflows), a rounding apart, which the sums over time amplify where the gradient "
                "cancels (softmax - occupancy); with log(softmax) fchain's gradients are Chainer's bit for bit "
                "(its losses already are), and against float64 both are within 1e-6 of the largest gradient")
# Compared in ulps of each array's largest |value| (chainer_golden.scaled_ulps): sums whose terms cancel.
SCALED = {"negative_sampling", "negative_sampling/ignore-no", "negative_sampling/return_samples", "black_out",
          "black_out/no", "connectionist_temporal_classification",
          "connectionist_temporal_classification/lengths-no", "connectionist_temporal_classification/one-label"}

# (case id, "forward" or "backward") -> (max units in the last place, why).
ULPS: Budget = {  # measured maxima: 0.25-1 scaled ulps, and 4 (black_out/no's gradient of x)
    ("negative_sampling", "backward"): (1, _BLAS),
    ("negative_sampling/ignore-no", "backward"): (1, _BLAS),
    ("negative_sampling/return_samples", "forward"): (1, _EINSUM + "; " + _BLAS),
    ("negative_sampling/return_samples", "backward"): (1, _BLAS),
    ("black_out", "backward"): (1, _BLAS),
    ("black_out/no", "backward"): (4, _BLAS),
    # 0 ulps: the same values, some zeros of another sign
    ("argmax_crf1d", "backward"): (0, _ZERO_SIGNS),
    ("argmax_crf1d/equal-lengths", "backward"): (0, _ZERO_SIGNS),
    # measured 16, 31 and 10 scaled ulps: see _LOG_SOFTMAX
    ("connectionist_temporal_classification", "backward"): (16, _LOG_SOFTMAX),
    ("connectionist_temporal_classification/lengths-no", "backward"): (31, _LOG_SOFTMAX),
    ("connectionist_temporal_classification/one-label", "backward"): (10, _LOG_SOFTMAX),
}

# (case id, part) -> reason: a real discrepancy, documented (strict: a fix fails it).
XFAIL: Known = {}


@pytest.mark.parametrize("index", params(GOLDEN, "forward", XFAIL))
def test_forward_matches_chainer(index: int) -> None:
    run(GOLDEN, index, "forward", ULPS, SCALED)


@pytest.mark.parametrize("index", params(GOLDEN, "backward", XFAIL))
def test_backward_matches_chainer(index: int) -> None:
    """Input gradients under Chainer's random output gradient."""
    run(GOLDEN, index, "backward", ULPS, SCALED)


def test_the_budgets_name_existing_cases() -> None:
    check_budgets(GOLDEN, ULPS, XFAIL)
    assert SCALED <= {case["id"] for case in GOLDEN.cases}
