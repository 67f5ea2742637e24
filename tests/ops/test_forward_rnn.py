"""Forward values of embed_id and the LSTM units against references written
independently here (per-unit loops over the documented formulas), their gradients
where they are easy to state, and their errors on bad input."""

from __future__ import annotations

import math
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core import backend
from fchain.errors import DTypeError, ShapeError
from fchain.graph.device import get_device
from fchain.types import Array
from tests.conftest import DEVICES

RNG = numpy.random.default_rng(13)


def bad(value: object) -> Any:
    """A value of the wrong type, hidden from mypy: the mistake under test."""
    return value


def _sig(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


# ------------------------------------------------------------------------ embed_id
@pytest.mark.parametrize("device", DEVICES)
def test_embed_id_looks_up_rows_and_sums_repeated_gradients(device: str) -> None:
    to = get_device(device).send
    W = RNG.standard_normal((5, 3))
    x = numpy.array([[4, 0, 4], [1, 4, 2]], dtype=numpy.int32)
    Wv = fchain.Variable(to(W))
    y = F.embed_id(to(x), Wv)
    assert y.shape == (2, 3, 3)
    numpy.testing.assert_array_equal(backend.to_numpy(y.array), W[x])
    y.grad = to(numpy.ones((2, 3, 3)))
    y.backward()
    counts = numpy.bincount(x.ravel(), minlength=5)[:, None]  # row 4 three times, row 3 never
    assert Wv.grad is not None
    numpy.testing.assert_array_equal(backend.to_numpy(Wv.grad), numpy.broadcast_to(counts, (5, 3)))


def test_embed_id_ignore_label_gives_zero_rows_and_no_gradient() -> None:
    W = fchain.Variable(RNG.standard_normal((4, 2)))
    x = numpy.array([3, -1, 0, -1], dtype=numpy.int64)
    y = F.embed_id(x, W, ignore_label=-1)
    numpy.testing.assert_array_equal(y.array[[1, 3]], 0.0)
    numpy.testing.assert_array_equal(y.array[[0, 2]], W.array[[3, 0]])
    y.grad = numpy.arange(8.0).reshape(4, 2)
    y.backward()
    assert W.grad is not None
    numpy.testing.assert_array_equal(W.grad, [[4, 5], [0, 0], [0, 0], [0, 1]])


def test_embed_id_ignore_label_inside_the_vocabulary_is_ignored_too() -> None:
    W = fchain.Variable(numpy.ones((3, 2)))
    y = F.embed_id(numpy.array([0, 1, 2]), W, ignore_label=1)
    numpy.testing.assert_array_equal(y.array, [[1, 1], [0, 0], [1, 1]])
    y.grad = numpy.ones((3, 2))
    y.backward()
    assert W.grad is not None
    numpy.testing.assert_array_equal(W.grad, [[1, 1], [0, 0], [1, 1]])


@pytest.mark.parametrize("rows", [
    numpy.array([2, 0, 2, 2, 1]),
    numpy.r_[numpy.zeros(30, dtype=numpy.int64), numpy.arange(5), numpy.zeros(7, dtype=numpy.int64)],
    numpy.array([], dtype=numpy.int64),
    numpy.array([4, 1, 5, 0], dtype=numpy.int32),
    RNG.integers(0, 6, 300),
    numpy.r_[numpy.zeros(290, dtype=numpy.int64), numpy.arange(6), numpy.zeros(9, dtype=numpy.int64)],
    numpy.array([5, -1, 0, -6, 2]),
    RNG.integers(-6, 6, 300),
], ids=["few-repeats", "one-row-repeated-past-the-ranks", "empty", "distinct", "many-rows-sorted-path",
        "many-rows-past-the-ranks", "negative-ids", "many-negative-ids"])
def test_scatter_add_rows_is_add_at_bit_for_bit(rows: Array) -> None:
    """Both rankings (in Python up to 256 rows, by sorting above) and the distinct
    rows' single addition give ``add.at``'s bits, negative zeros included, and a
    negative id adds onto the row it names from the end (-1 and 5 are one row)."""
    values = RNG.standard_normal((rows.size, 3)).astype(numpy.float32) * 10 ** RNG.uniform(-3, 3, (rows.size, 1))
    values[::3, 0] = -0.0
    want = numpy.zeros((6, 3), numpy.float32)
    numpy.add.at(want, rows, values.astype(numpy.float32))
    got = backend.scatter_add_rows(numpy, 6, rows, values.astype(numpy.float32))
    assert got.tobytes() == want.tobytes()


def test_embed_id_errors_name_the_function_and_argument() -> None:
    W = numpy.zeros((3, 2), numpy.float32)
    with pytest.raises(DTypeError, match="embed_id: x must hold integer ids"):
        F.embed_id(numpy.zeros(2, numpy.float32), W)
    with pytest.raises(ShapeError, match=r"embed_id: W must be 2-d"):
        F.embed_id(numpy.zeros(2, numpy.int32), numpy.zeros(3, numpy.float32))
    with pytest.raises(DTypeError, match="embed_id: W must be a floating-point array"):
        F.embed_id(numpy.zeros(2, numpy.int32), numpy.zeros((3, 2), numpy.int32))
    with pytest.raises(TypeError, match="embed_id: ignore_label must be an int"):
        F.embed_id(numpy.zeros(2, numpy.int32), W, ignore_label=bad(0.5))


# --------------------------------------------------------------------------- lstm
def _lstm_reference(c_prev: Array, x: Array) -> tuple[Array, Array]:
    """Chainer's documented LSTM, unit by unit: x[:, 4j + k] is gate k (a, i, f, o)
    of unit j; rows of c_prev past len(x) are carried over."""
    c = c_prev.copy()
    h = numpy.empty((x.shape[0], c_prev.shape[1]))
    for b in range(x.shape[0]):
        for j in range(c_prev.shape[1]):
            a, i, f, o = (x[b, 4 * j + k] for k in range(4))
            c[b, j] = math.tanh(a) * _sig(i) + _sig(f) * c_prev[b, j]
            h[b, j] = _sig(o) * math.tanh(c[b, j])
    return c, h


@pytest.mark.parametrize("rows", [3, 2])
def test_lstm_matches_the_per_unit_formulas_with_chainers_gate_layout(rows: int) -> None:
    c_prev, x = RNG.standard_normal((3, 2)), RNG.standard_normal((rows, 8))
    c, h = F.lstm(c_prev, x)
    want_c, want_h = _lstm_reference(c_prev, x)
    numpy.testing.assert_allclose(c.array, want_c, rtol=1e-12)
    numpy.testing.assert_allclose(h.array, want_h, rtol=1e-12)
    assert h.shape == (rows, 2)


def test_lstm_passes_the_gradient_of_the_carried_rows_through() -> None:
    c_prev = fchain.Variable(RNG.standard_normal((3, 2)))
    x = fchain.Variable(RNG.standard_normal((1, 8)))
    c, _ = F.lstm(c_prev, x)
    gc = RNG.standard_normal((3, 2))
    c.grad = gc
    c.backward()
    assert c_prev.grad is not None
    numpy.testing.assert_array_equal(c_prev.grad[1:], gc[1:])


def test_slstm_and_tree_lstm_match_their_formulas() -> None:
    c1, c2 = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))
    x1, x2 = RNG.standard_normal((2, 12)), RNG.standard_normal((2, 12))
    c, h = F.slstm(c1, c2, x1, x2)
    g1, g2 = x1.reshape(2, 3, 4), x2.reshape(2, 3, 4)
    sig = numpy.vectorize(_sig)
    want_c = (numpy.tanh(g1[..., 0]) * sig(g1[..., 1]) + numpy.tanh(g2[..., 0]) * sig(g2[..., 1])
              + sig(g1[..., 2]) * c1 + sig(g2[..., 2]) * c2)
    numpy.testing.assert_allclose(c.array, want_c, rtol=1e-12)
    numpy.testing.assert_allclose(h.array, sig(g1[..., 3] + g2[..., 3]) * numpy.tanh(want_c), rtol=1e-12)
    x = RNG.standard_normal((2, 15))
    c, h = F.tree_lstm(c1, c2, x)
    a, i, o, f1, f2 = (x[:, 3 * k:3 * k + 3] for k in range(5))  # consecutive blocks
    want_c = numpy.tanh(a) * sig(i) + sig(f1) * c1 + sig(f2) * c2
    numpy.testing.assert_allclose(c.array, want_c, rtol=1e-12)
    numpy.testing.assert_allclose(h.array, sig(o) * numpy.tanh(want_c), rtol=1e-12)


def test_the_units_errors_name_the_function_and_argument() -> None:
    f4 = numpy.zeros((2, 4), numpy.float32)
    with pytest.raises(ShapeError, match=r"lstm: x must have shape \(batch, 4 \* 4\)"):
        F.lstm(f4, numpy.zeros((2, 15), numpy.float32))
    with pytest.raises(ShapeError, match="lstm: x has 3 rows but c_prev only 2"):
        F.lstm(f4, numpy.zeros((3, 16), numpy.float32))
    with pytest.raises(DTypeError, match="lstm: x has dtype float64 but c_prev has float32"):
        F.lstm(f4, numpy.zeros((2, 16)))
    with pytest.raises(ShapeError, match="slstm: x2 must have shape"):
        F.slstm(f4, f4, numpy.zeros((2, 16), numpy.float32), numpy.zeros((2, 12), numpy.float32))
    with pytest.raises(ShapeError, match=r"tree_lstm: x must have shape \(2, 20\)"):
        F.tree_lstm(f4, f4, numpy.zeros((2, 16), numpy.float32))
    with pytest.raises(DTypeError, match="tree_lstm: x has dtype float64"):
        F.tree_lstm(f4, numpy.zeros((2, 16)))
    with pytest.raises(TypeError, match="tree_lstm: give at least one cell state and x"):
        F.tree_lstm(f4)
