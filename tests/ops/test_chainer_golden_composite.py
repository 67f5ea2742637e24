"""The composite math functions give Chainer 7.8.1's numbers.

``tests/fixtures/chainer/ops_composite_cases.json`` / ``.npz`` (made by
``make_golden_ops_composite.py`` there, with real Chainer): ``bias`` and ``scale``
along the default axis, another axis and with a 2-d operand, ``linear_interpolate``,
and ``average`` unweighted, weighted over all axes and weighted along one axis with
``keepdims``.  Each case is replayed in fchain (``tests/ops/chainer_golden.py``),
forward and backward separately, bit for bit unless ``ULPS`` says otherwise.
"""

from __future__ import annotations

import pytest

from tests.ops.chainer_golden import Budget, GoldenSet, Known, params, run

GOLDEN = GoldenSet("ops_composite")

ULPS: Budget = {}  # every case is bit for bit
XFAIL: Known = {}


@pytest.mark.parametrize("index", params(GOLDEN, "forward", XFAIL))
def test_forward_matches_chainer(index: int) -> None:
    run(GOLDEN, index, "forward", ULPS)


@pytest.mark.parametrize("index", params(GOLDEN, "backward", XFAIL))
def test_backward_matches_chainer(index: int) -> None:
    run(GOLDEN, index, "backward", ULPS)
