"""``ops._row_maxima``: the row maxima of softmax-like ops, taken over a transposed
copy when there are few columns.  The values must be numpy's, and the ops' results
must keep their bits whichever way the maxima were taken."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fchain
import fchain.functions as F
from fchain.ops import _row_maxima
from fchain.ops.activation import log_softmax as log_softmax_module
from fchain.ops.activation import softmax as softmax_module
from fchain.ops.loss import _softmax_cross_entropy_rules as sce_rules
from fchain.types import Array


@settings(max_examples=80, deadline=None)
@given(rows=st.integers(1, 120), columns=st.integers(1, 48), dtype=st.sampled_from(["float16", "float32", "float64"]),
       zeros=st.booleans(), nan=st.booleans(), seed=st.integers(0, 2**16))
def test_the_maxima_are_numpys(rows: int, columns: int, dtype: str, zeros: bool, nan: bool, seed: int) -> None:
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((rows, columns)).astype(dtype)
    if zeros:  # ties of +0 and -0 at the maximum
        x = numpy.minimum(x, 0).astype(dtype)
        x[rng.random((rows, columns)) < 0.4] = -0.0
    if nan:
        x[rng.integers(rows), rng.integers(columns)] = numpy.nan
    got = _row_maxima.row_maxima(x)
    want = x.max(axis=1, keepdims=True)
    assert got.shape == want.shape == (rows, 1) and got.dtype == want.dtype
    numpy.testing.assert_array_equal(got, want)  # NaN where numpy has NaN


def test_few_columns_and_many_rows_take_the_transposed_copy() -> None:
    x = numpy.arange(100 * 10, dtype=numpy.float32).reshape(100, 10)
    got = _row_maxima.row_maxima(x)
    assert got.base is not None and got.base.shape == (100,)  # a reshaped reduction of the copy
    numpy.testing.assert_array_equal(got[:, 0], x[:, -1])


def _plain(x: Array) -> Array:
    m: Array = x.max(axis=1, keepdims=True)
    return m


@pytest.mark.parametrize("which", ["softmax_cross_entropy", "softmax", "log_softmax"])
def test_the_ops_keep_their_bits(which: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scores of 100 rows by 10 classes with ties of +0 and -0 at the maximum: the
    loss or output and the gradient are the same bytes as with numpy's own maxima."""
    rng = numpy.random.default_rng(7)
    x = numpy.minimum(rng.standard_normal((100, 10)), 0).astype(numpy.float32)
    x[rng.random(x.shape) < 0.4] = -0.0
    t = rng.integers(0, 10, 100).astype(numpy.int32)
    w = rng.standard_normal(x.shape).astype(numpy.float32)

    def run() -> tuple[bytes, bytes]:
        v = fchain.Variable(x.copy())
        if which == "softmax_cross_entropy":
            y = F.softmax_cross_entropy(v, t)
        elif which == "softmax":
            y = F.sum(F.softmax(v) * w)
        else:
            y = F.sum(F.log_softmax(v) * w)
        y.backward()
        assert v.grad is not None
        return y.array.tobytes(), v.grad.tobytes()

    fast = run()
    for module in (sce_rules, softmax_module, log_softmax_module):
        monkeypatch.setattr(module, "row_maxima", _plain)
    assert run() == fast
