"""The normalization functions give Chainer 7.8.1's numbers: outputs, the running
statistics they update in place, and input gradients.

``tests/fixtures/chainer/ops_normalization_cases.json`` / ``ops_normalization.npz``
(made by ``make_golden_normalization.py`` there, with real Chainer) are replayed
as ``test_chainer_golden_ops.py`` replays its cases (``tests/ops/chainer_golden.py``):
bit for bit, unless ``ULPS`` names a part with the units in the last place it is
allowed and why (fchain does not follow Chainer's order of rounding there).
"""

from __future__ import annotations

import pytest

from tests.ops.chainer_golden import load, params, replay

CASES, GOLDEN_ARRAYS = load("ops_normalization")

# (case id, "forward" or "backward") -> (max units in the last place, why).
ULPS: dict[tuple[str, str], tuple[int, str]] = {}


def _run(index: int, part: str) -> None:
    key = (CASES[index]["id"], part)
    replay(CASES[index], GOLDEN_ARRAYS[index], part, ULPS[key][0] if key in ULPS else None)


@pytest.mark.parametrize("index", params(CASES, "forward", {}))
def test_forward_and_running_statistics_match_chainer(index: int) -> None:
    _run(index, "forward")


@pytest.mark.parametrize("index", params(CASES, "backward", {}))
def test_backward_matches_chainer(index: int) -> None:
    """Input gradients under Chainer's random output gradient."""
    _run(index, "backward")


def test_every_case_is_known() -> None:
    ids = [case["id"] for case in CASES]
    assert len(set(ids)) == len(ids)
    known = {(case["id"], part) for case in CASES for part in ("forward", "backward")}
    assert set(ULPS) <= known
