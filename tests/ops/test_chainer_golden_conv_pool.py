"""The convolution and pooling functions give Chainer 7.8.1's numbers.

``tests/fixtures/chainer/ops_conv_pool_cases.json`` / ``ops_conv_pool.npz`` (made by
``make_golden_ops_conv_pool.py`` there, with real Chainer) are replayed with the shared
code of ``chainer_golden``: bit for bit, except where ``ULPS`` names the part, its
budget in units in the last place and why fchain's order of operations differs.

The budgets, measured: convolutions are GEMMs, compared in ulps of the largest
|value| of each array (``chainer_golden.scaled_ulps``: a sum whose terms cancel can
put an element near zero many of its own ulps away while the error is a rounding
of the terms), and fchain's GEMMs (channels-last columns, taps then channels, one
product per chunk of batch items, the filter gradient summed over the chunks and,
for stride 1, taken from the columns of ``gy``) add in another order than Chainer's
single ``tensordot`` over the whole batch with channel-major columns; the bias is
added to the product in both, and its gradient is summed in Chainer's order.
Pooling sums run in Chainer's order (offset by offset in kernel raster order) and
match bit for bit, except the two listed.
"""

from __future__ import annotations

import pytest

from tests.ops.chainer_golden import Budget, GoldenSet, Known, check_budgets, params, run

GOLDEN = GoldenSet("ops_conv_pool")

_GEMM = ("a GEMM per chunk of batch items over channels-last columns (and the filter gradient summed over "
         "the chunks), where Chainer runs one tensordot over the batch: the same products, added in another order")
_GEMM_CASES = ["convolution_2d", "convolution_2d/stride-cover_all", "convolution_2d/dilate-groups",
               "convolution_1d", "convolution_3d", "convolution_nd", "deconvolution_2d",
               "deconvolution_2d/outsize-groups", "deconvolution_1d", "deconvolution_3d", "deconvolution_nd",
               "depthwise_convolution_2d", "dilated_convolution_2d", "local_convolution_2d", "bilinear",
               "bilinear/no-linear"]
# (case id, part) -> (max ulps, why): measured maxima 1-3 (GEMMs, scaled; 1-6 with the earlier
# per-item layout) and 7 (unpooling).
ULPS: Budget = {
    **{(c, part): (8, _GEMM) for c in _GEMM_CASES for part in ("forward", "backward")},
    ("unpooling_2d/outsize", "backward"): (
        8, "Chainer 7's Unpooling2D sums its im2col columns with numpy's sum over the two kernel axes "
           "(pairwise); fchain adds the windows offset by offset"),
    ("spatial_pyramid_pooling_2d", "backward"): (
        2, "the three levels' gradients reach x in another order of addition"),
}
XFAIL: Known = {}


@pytest.mark.parametrize("index", params(GOLDEN, "forward", XFAIL))
def test_forward_matches_chainer(index: int) -> None:
    run(GOLDEN, index, "forward", ULPS, scaled=_GEMM_CASES)


@pytest.mark.parametrize("index", params(GOLDEN, "backward", XFAIL))
def test_backward_matches_chainer(index: int) -> None:
    """Input gradients under Chainer's random output gradient."""
    run(GOLDEN, index, "backward", ULPS, scaled=_GEMM_CASES)


def test_the_budgets_name_existing_cases() -> None:
    check_budgets(GOLDEN, ULPS, XFAIL)
