"""The calls the first golden sets left out give Chainer 7.8.1's numbers.

``tests/fixtures/chainer/ops_gaps_cases.json`` / ``.npz`` (made by
``make_golden_ops_gaps.py`` there, with real Chainer): ``softmax_cross_entropy`` on
2-d scores with hard labels (the mean, ignored labels, class weights, no
normalization, ``reduce='no'``, no cached score), ``x - constant``,
``binary_accuracy`` with scores exactly at its threshold 0, and operands of equal
shapes for ``matmul``, ``linear``, ``concat`` and ``identity`` (so a gradient sent
to the wrong input shows in the values, not only in a shape error).  Each case is
replayed in fchain (``tests/ops/chainer_golden.py``), forward and backward
separately, bit for bit unless ``ULPS`` says otherwise.
"""

from __future__ import annotations

import numpy
import pytest

from tests.ops.chainer_golden import Budget, GoldenSet, Known, check_budgets, params, run

GOLDEN = GoldenSet("ops_gaps")

_GEMM = ("a float32 matrix product in BLAS on both sides, whose summation order differs between numpy "
         "1.26 (Chainer's venv) and numpy 2.4: numpy alone gives different bits for the same 3x3 product "
         "(checked); measured at most 1 ulp of the largest element, counted so (scaled)")
_GEMM_CASES = ["matmul/square", "matmul/square-trans-a", "matmul/square-batched", "linear/square",
               "linear/square-nobias"]
ULPS: Budget = {(c, part): (2, _GEMM) for c in _GEMM_CASES for part in ("forward", "backward")}
XFAIL: Known = {}


@pytest.mark.parametrize("index", params(GOLDEN, "forward", XFAIL))
def test_forward_matches_chainer(index: int) -> None:
    run(GOLDEN, index, "forward", ULPS, scaled=_GEMM_CASES)


@pytest.mark.parametrize("index", params(GOLDEN, "backward", XFAIL))
def test_backward_matches_chainer(index: int) -> None:
    """Input gradients under Chainer's random output gradient (a gradient sent to
    the wrong one of two equal-shaped inputs is far outside any budget here)."""
    run(GOLDEN, index, "backward", ULPS, scaled=_GEMM_CASES)


def test_the_budgets_name_existing_cases() -> None:
    check_budgets(GOLDEN, ULPS, XFAIL)


def _case(case_id: str) -> tuple[dict[str, object], list[numpy.ndarray]]:
    index = next(i for i, c in enumerate(GOLDEN.cases) if c["id"] == case_id)
    xs = [x for x in GOLDEN.arrays[index]["xs"] if x is not None]
    return GOLDEN.cases[index], xs


def test_the_cases_exercise_what_they_are_for() -> None:
    """A regenerated fixture that lost its point (no ignored label, no score at 0,
    operands of different shapes) fails here rather than silently testing less."""
    for case_id in ("softmax_cross_entropy/2d-ignore", "softmax_cross_entropy/2d-reduce-no",
                    "softmax_cross_entropy/2d-weight-ignore-no-normalize"):
        assert (_case(case_id)[1][1] == -1).any(), case_id
    assert (_case("softmax_cross_entropy/2d-ignore-label-2")[1][1] == 2).any()
    for case_id in ("binary_accuracy/zeros", "binary_accuracy/zeros-ignore"):
        y, t = _case(case_id)[1]
        assert ((y == 0) & (t >= 0)).any(), case_id
    for case_id in ("matmul/square", "matmul/square-trans-a", "matmul/square-batched", "linear/square",
                    "linear/square-nobias", "concat/equal", "concat/equal-axis0", "identity/equal"):
        xs = _case(case_id)[1]
        assert xs[0].shape == xs[1].shape, case_id
    assert all(len(c["grads"]) for c in GOLDEN.cases if c["op"] != "binary_accuracy")
