"""The normalization functions of issue 12 give Chainer 7.8.1's numbers: outputs,
the running statistics they update in place, and input gradients.

``tests/fixtures/chainer/ops_normalization_cases.json`` / ``.npz`` (made by
``make_golden_ops_normalization.py`` there, with real Chainer) hold a few
representative calls per function; each is replayed in fchain
(``tests/ops/chainer_golden.py``), forward (outputs and the running statistics
after the call) and backward separately, and compared bit for bit (the raw bytes,
so even the sign of a zero counts), unless ``ULPS`` names that part with the units
in the last place it is allowed and why, or ``XFAIL`` documents a real difference.
None is needed: fchain follows Chainer's order of rounding in all of them.
"""

from __future__ import annotations

import pytest

from tests.ops.chainer_golden import Budget, GoldenSet, Known, check_budgets, params, run

GOLDEN = GoldenSet("ops_normalization")

# (case id, "forward" or "backward") -> (max units in the last place, why).
ULPS: Budget = {}

# (case id, part) -> reason: a real discrepancy, documented (strict: a fix fails it).
XFAIL: Known = {}


@pytest.mark.parametrize("index", params(GOLDEN, "forward", XFAIL))
def test_forward_and_running_statistics_match_chainer(index: int) -> None:
    run(GOLDEN, index, "forward", ULPS)


@pytest.mark.parametrize("index", params(GOLDEN, "backward", XFAIL))
def test_backward_matches_chainer(index: int) -> None:
    """Input gradients under Chainer's random output gradient."""
    run(GOLDEN, index, "backward", ULPS)


def test_the_budgets_name_existing_cases() -> None:
    check_budgets(GOLDEN, ULPS, XFAIL)


def test_the_running_statistics_are_compared() -> None:
    """The cases that pass running statistics record them after the call (updated,
    or left alone by batch_renormalization without update_statistics)."""
    with_state = [case["id"] for case in GOLDEN.cases if case.get("after")]
    assert "batch_normalization/4d-running" in with_state
    assert "batch_renormalization/clipped-no-update" in with_state
