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

# (case id, "forward" or "backward") -> (max units in the last place, why).
ULPS: Budget = {}

# (case id, part) -> reason: a real discrepancy, documented (strict: a fix fails it).
XFAIL: Known = {}


@pytest.mark.parametrize("index", params(GOLDEN, "forward", XFAIL))
def test_forward_matches_chainer(index: int) -> None:
    run(GOLDEN, index, "forward", ULPS)


@pytest.mark.parametrize("index", params(GOLDEN, "backward", XFAIL))
def test_backward_matches_chainer(index: int) -> None:
    """Input gradients under Chainer's random output gradient."""
    run(GOLDEN, index, "backward", ULPS)


def test_the_budgets_name_existing_cases() -> None:
    check_budgets(GOLDEN, ULPS, XFAIL)
