"""The ROI pooling functions give Chainer 7.8.1's numbers.

``tests/fixtures/chainer/ops_roi_cases.json`` / ``ops_roi.npz`` (made by
``make_golden_ops_roi.py`` there, with real Chainer) are replayed with the shared
code of ``chainer_golden``.  The max functions pick Chainer's pixels (and, for
align, interpolate in float64 in Chainer's order) and match bit for bit.  The
averages match within the budgets below, in ulps of each array's largest value:
Chainer's CPU code sums each bin pixel by pixel (align: sample by sample, in
float64) and divides once; fchain sums a bin's rows, then its columns, in x's
dtype, so the same terms are added in another order.
"""

from __future__ import annotations

import pytest

from tests.ops.chainer_golden import Budget, GoldenSet, Known, check_budgets, params, run

GOLDEN = GoldenSet("ops_roi")

_ORDER = ("a bin summed row by row and then column by column in x's dtype, where Chainer's CPU code adds "
          "its pixels (align: its samples, in float64) one by one: the same terms in another order")
_SUMS = ["roi_average_pooling_2d", "roi_average_pooling_2d/int-outsize", "roi_average_align_2d",
         "roi_average_align_2d/sampling_ratio", "roi_average_align_2d/sampling_ratio-pair",
         ]
# measured maxima: 1 scaled ulp (roi_average_align_2d's backward: 2)
ULPS: Budget = {(c, part): (2, _ORDER) for c in _SUMS for part in ("forward", "backward")}
XFAIL: Known = {}


@pytest.mark.parametrize("index", params(GOLDEN, "forward", XFAIL))
def test_forward_matches_chainer(index: int) -> None:
    run(GOLDEN, index, "forward", ULPS, scaled=_SUMS)


@pytest.mark.parametrize("index", params(GOLDEN, "backward", XFAIL))
def test_backward_matches_chainer(index: int) -> None:
    """Input gradients under Chainer's random output gradient."""
    run(GOLDEN, index, "backward", ULPS, scaled=_SUMS)


def test_the_budgets_name_existing_cases() -> None:
    check_budgets(GOLDEN, ULPS, XFAIL)
