"""EmbedID and the step-by-step recurrent links (LSTM, StatelessLSTM, the GRUs, the
MGUs, StatefulPeepholeLSTM): shapes, Chainer's defaults, forward against the
functions they wrap or a numpy transcription of the formulas, state handling,
lazy sizes, errors, file round trips and copies.  Chainer's own numbers are
``test_chainer_golden_seq_links.py``'s."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Link, Variable, initializers
from fchain.types import Array
from tests.arrays import values
from tests.links.link_checks import assert_copies, assert_round_trip


@pytest.fixture(autouse=True)
def _seeded() -> Iterator[None]:
    saved = initializers.get_rng()
    initializers.set_random_seed(1234)
    yield
    initializers.set_rng(saved)


def _x(shape: tuple[int, ...], seed: int = 0) -> Array:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _sigmoid(x: Array) -> Array:
    s: Array = 1 / (1 + np.exp(-x.astype(np.float64)))
    return s


# ---------------------------------------------------------------------- EmbedID


def test_embed_id_defaults_and_forward() -> None:
    e = L.EmbedID(200, 300)
    assert values(e.W).shape == (200, 300) and e.W.dtype == np.float32 and e.ignore_label is None
    assert float(values(e.W).std()) == pytest.approx(1.0, rel=0.02)  # Normal(1.0), not LeCunNormal
    ids = np.array([[3, 0], [199, 3]], dtype=np.int32)
    y = e(ids)
    assert y.shape == (2, 2, 300)
    np.testing.assert_array_equal(y.array, values(e.W)[ids])


def test_embed_id_ignore_label_and_initialW() -> None:
    W = np.arange(12, dtype=np.float32).reshape(4, 3)
    e = L.EmbedID(4, 3, initialW=W, ignore_label=-1)
    np.testing.assert_array_equal(values(e.W), W)
    y = e(np.array([2, -1, 0], dtype=np.int32))
    np.testing.assert_array_equal(y.array, [W[2], [0, 0, 0], W[0]])
    y.grad = np.ones_like(y.array)
    y.backward()
    assert e.W.grad is not None
    np.testing.assert_array_equal(e.W.grad.sum(axis=1), [3, 0, 3, 0])  # the ignored id passes nothing


@pytest.mark.parametrize("args", [(0, 3), (3, 0), ("3", 2), (3, 2.5)])
def test_embed_id_refuses_bad_sizes(args: tuple[object, object]) -> None:
    with pytest.raises(TypeError, match="EmbedID"):
        L.EmbedID(*args)  # type: ignore[arg-type]  # the mistakes under test


def test_embed_id_round_trip_and_copies(tmp_path: Path) -> None:
    ids = np.array([1, 2, 1], dtype=np.int32)
    assert_round_trip(tmp_path, lambda: L.EmbedID(3, 2), lambda: L.EmbedID(3, 2), lambda link: link(ids), ["W"])
    assert_copies(lambda: L.EmbedID(3, 2), lambda link: link(ids))


# ------------------------------------------------------------------------- LSTM


def _lstm_step(link: L.LSTM | L.StatelessLSTM, c: Array, h: Array | None, x: Array) -> tuple[Array, Array]:
    """``F.lstm(c, upward(x) + lateral(h))`` from the link's parameters."""
    assert link.upward.b is not None
    pre = x @ values(link.upward.W).T + values(link.upward.b)
    if h is not None:
        pre = pre + h @ values(link.lateral.W).T
    c_new, h_new = F.lstm(c, pre.astype(np.float32))
    return c_new.array, h_new.array


def test_lstm_parameters_and_chainers_initialization() -> None:
    link = L.LSTM(3, 4)
    assert sorted(n for n, _ in link.namedparams()) == ["/lateral/W", "/upward/W", "/upward/b"]
    assert values(link.upward.W).shape == (16, 3) and values(link.lateral.W).shape == (16, 4)
    assert link.lateral.b is None and link.state_size == 4
    assert link.upward.b is not None
    b = values(link.upward.b)
    np.testing.assert_array_equal(b[2::4], np.ones(4, np.float32))  # the forget gates (a, i, f, o per unit)
    np.testing.assert_array_equal(np.delete(b, np.s_[2::4]), np.zeros(12, np.float32))
    given = L.LSTM(2, 3, lateral_init=0.5, upward_init=0.25, bias_init=-1.0, forget_bias_init=3.0)
    np.testing.assert_array_equal(values(given.lateral.W), np.full((12, 3), 0.5, np.float32))
    np.testing.assert_array_equal(values(given.upward.W), np.full((12, 2), 0.25, np.float32))
    assert given.upward.b is not None
    np.testing.assert_array_equal(values(given.upward.b), np.tile(np.array([-1, -1, 3, -1], np.float32), 3))


def test_lstm_weights_are_drawn_block_by_block() -> None:
    """Each block of ``out_size`` rows has its own fan-in scale: LeCunNormal of a
    ``(n, in)`` block is ``N(0, 1/in)`` for both weights."""
    link = L.LSTM(400, 100)
    assert float(values(link.upward.W).std()) == pytest.approx(math.sqrt(1 / 400), rel=0.02)
    assert float(values(link.lateral.W).std()) == pytest.approx(math.sqrt(1 / 100), rel=0.02)


def test_lstm_steps_are_f_lstm_and_keep_the_state() -> None:
    link = L.LSTM(3, 4)
    xs = [_x((2, 3), seed=s) for s in range(3)]
    c, h = np.zeros((2, 4), np.float32), None
    for x in xs:
        c, h_new = _lstm_step(link, c, h, x)
        y = link(x)
        np.testing.assert_allclose(y.array, h_new, rtol=1e-6, atol=1e-7)
        h = h_new
        assert link.c is not None and link.h is not None
        np.testing.assert_allclose(link.c.array, c, rtol=1e-6, atol=1e-7)
        assert link.h.array is y.array or np.array_equal(link.h.array, y.array)
    link.reset_state()
    assert link.c is None and link.h is None
    np.testing.assert_allclose(link(xs[0]).array, _lstm_step(link, np.zeros((2, 4), np.float32), None, xs[0])[1],
                               rtol=1e-6, atol=1e-7)


def test_lstm_shrinking_batches_keep_the_other_rows() -> None:
    link = L.LSTM(2, 3)
    link(_x((3, 2)))
    assert link.c is not None and link.h is not None
    c_before, h_before = link.c.array.copy(), link.h.array.copy()
    y = link(_x((2, 2), seed=1))
    assert y.shape == (2, 3) and link.h.shape == (3, 3) and link.c.shape == (3, 3)
    want_c, want_h = _lstm_step(link, c_before, h_before[:2], _x((2, 2), seed=1))
    np.testing.assert_allclose(link.h.array[:2], want_h, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(link.h.array[2], h_before[2])
    np.testing.assert_allclose(link.c.array[:2], want_c[:2], rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(link.c.array[2], c_before[2])
    h_kept = link.h.array.copy()
    empty = link(np.zeros((0, 2), np.float32))
    assert empty.shape == (0, 3)
    np.testing.assert_array_equal(link.h.array, h_kept)
    with pytest.raises(TypeError, match="must not be larger"):
        link(_x((4, 2)))


def test_lstm_gradients_flow_through_the_steps() -> None:
    link = L.LSTM(2, 3)
    loss = F.sum(link(_x((2, 2)))) + F.sum(link(_x((2, 2), seed=1)))
    loss.backward()
    for name, param in link.namedparams():
        assert param.grad is not None and np.abs(param.grad).sum() > 0, name


@pytest.mark.parametrize("make", [lambda: L.LSTM(4), lambda: L.LSTM(None, 4)], ids=["out-only", "none-in"])
def test_lstm_lazy_input_size(make: Callable[[], L.LSTM]) -> None:
    link = make()
    assert link.upward.W.array is None and values(link.lateral.W).shape == (16, 4)
    y = link(_x((2, 3, 2)))  # the non-batch axes give in_size 6
    assert y.shape == (2, 4) and values(link.upward.W).shape == (16, 6)
    assert link.upward.b is not None
    np.testing.assert_array_equal(values(link.upward.b)[2::4], np.ones(4, np.float32))
    assert float(np.abs(values(link.upward.W)).sum()) > 0  # filled, not left at the zero fill
    with pytest.raises(fchain.errors.ShapeError, match="in_size"):
        L.LSTM(4)(np.zeros((3,), np.float32))


def test_lstm_set_state_and_stateless_agree() -> None:
    stateful = L.LSTM(3, 2)
    stateless = L.StatelessLSTM(3, 2)
    stateless.copyparams(stateful)
    c, h, x = _x((4, 2)), _x((4, 2), seed=1), _x((4, 3), seed=2)
    stateful.set_state(Variable(c), Variable(h))
    y = stateful(x)
    c_new, h_new = stateless(c, h, x)
    np.testing.assert_array_equal(y.array, h_new.array)
    assert stateful.c is not None
    np.testing.assert_array_equal(stateful.c.array, c_new.array)
    c0, h0 = stateless(None, None, x)
    stateful.reset_state()
    np.testing.assert_array_equal(stateful(x).array, h0.array)
    assert c0.shape == (4, 2)


def test_lstm_copy_has_its_own_state() -> None:
    link = L.LSTM(2, 3)
    link(_x((2, 2)))
    twin = link.copy()
    twin.reset_state()
    assert link.h is not None and twin.h is None
    assert twin.upward.W.array is link.upward.W.array


@pytest.mark.parametrize("cls", [L.LSTM, L.StatelessLSTM])
def test_lstm_refuses_bad_sizes_and_initializers(cls: type[L.LSTM] | type[L.StatelessLSTM]) -> None:
    with pytest.raises(TypeError, match="out_size"):
        cls(3, 0)
    with pytest.raises(TypeError, match="in_size"):
        cls("3", 2)  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(TypeError, match="lateral_init"):
        cls(3, 2, lateral_init="zeros")  # type: ignore[arg-type]  # the mistake under test


def _lstm_call(link: Link) -> Variable:
    assert isinstance(link, L.LSTM)
    link.reset_state()
    link(_x((2, 3)))
    return link(_x((2, 3), seed=1))


def test_lstm_round_trip_and_copies(tmp_path: Path) -> None:
    keys = ["lateral/W", "upward/W", "upward/b"]
    assert_round_trip(tmp_path, lambda: L.LSTM(3, 2), lambda: L.LSTM(None, 2), _lstm_call, keys)
    assert_copies(lambda: L.LSTM(3, 2), _lstm_call)


# -------------------------------------------------------------------------- GRU


def _gru_reference(link: L.StatelessGRU | L.StatefulGRU, h: Array, x: Array) -> Array:
    def lin(child: L.Linear, v: Array) -> Array:
        assert child.b is not None
        out: Array = v.astype(np.float64) @ values(child.W).T + values(child.b)
        return out

    r = _sigmoid(lin(link.W_r, x) + lin(link.U_r, h))
    z = _sigmoid(lin(link.W_z, x) + lin(link.U_z, h))
    h_bar = np.tanh(lin(link.W, x) + lin(link.U, r * h))
    out: Array = z * h_bar + (1 - z) * h
    return out


def test_gru_children() -> None:
    """Chainer's names (the order they are built in, which the draws follow, is
    checked against Chainer's initial weights by the golden test)."""
    link = L.StatelessGRU(3, 2)
    assert [n for n, _ in link.namedlinks(skipself=True)] == ["/U", "/U_r", "/U_z", "/W", "/W_r", "/W_z"]
    assert values(link.W_r.W).shape == (2, 3) and values(link.U.W).shape == (2, 2)
    biased = L.StatefulGRU(3, 2, init=0.5, inner_init=0.25, bias_init=0.1)
    np.testing.assert_array_equal(values(biased.W_z.W), np.full((2, 3), 0.5, np.float32))
    np.testing.assert_array_equal(values(biased.U_z.W), np.full((2, 2), 0.25, np.float32))
    assert biased.U.b is not None
    np.testing.assert_array_equal(values(biased.U.b), np.full(2, 0.1, np.float32))


def test_stateless_gru_is_the_formula() -> None:
    link = L.StatelessGRU(3, 4)
    h, x = _x((2, 4)), _x((2, 3), seed=1)
    np.testing.assert_allclose(link(h, x).array, _gru_reference(link, h, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", [L.StatefulGRU, L.GRU])
def test_stateful_gru_steps(cls: type[L.StatefulGRU]) -> None:
    link = cls(3, 4)
    x0, x1 = _x((2, 3)), _x((2, 3), seed=1)
    h0 = link(x0)
    assert link.W_z.b is not None and link.W.b is not None
    z = _sigmoid(x0 @ values(link.W_z.W).T + values(link.W_z.b))
    h_bar = np.tanh(x0 @ values(link.W.W).T + values(link.W.b))
    np.testing.assert_allclose(h0.array, z * h_bar, rtol=1e-5, atol=1e-6)  # no state: z * h_bar
    h1 = link(x1)
    np.testing.assert_allclose(h1.array, _gru_reference(link, h0.array, x1), rtol=1e-5, atol=1e-6)
    assert link.h is h1
    link.set_state(h0.array)
    np.testing.assert_array_equal(link(x1).array, h1.array)
    link.reset_state()
    np.testing.assert_array_equal(link(x0).array, h0.array)


def test_gru_is_called_with_one_input() -> None:
    link = L.GRU(3, 2)
    with pytest.raises(ValueError, match="StatelessGRU"):
        link(_x((2, 2)), _x((2, 3)))
    with pytest.raises(ValueError, match="exactly one"):
        link()


def test_gru_lazy_input_size() -> None:
    link = L.StatefulGRU(None, 2)
    assert link.W.W.array is None
    assert link(_x((3, 5))).shape == (3, 2) and values(link.W.W).shape == (2, 5)


def _gru_call(link: Link) -> Variable:
    assert isinstance(link, L.StatefulGRU)
    link.reset_state()
    link(_x((2, 3)))
    return link(_x((2, 3), seed=1))


def test_gru_round_trip_and_copies(tmp_path: Path) -> None:
    keys = [f"{c}/{p}" for c in ("U", "U_r", "U_z", "W", "W_r", "W_z") for p in "Wb"]
    assert_round_trip(tmp_path, lambda: L.GRU(3, 2), lambda: L.GRU(None, 2), _gru_call, keys)
    assert_copies(lambda: L.StatefulGRU(3, 2), _gru_call)


# -------------------------------------------------------------------------- MGU


def _mgu_reference(link: L.StatelessMGU | L.StatefulMGU, h: Array, x: Array) -> Array:
    assert link.W_f.b is not None and link.W_h.b is not None
    f = _sigmoid(np.concatenate([h, x], axis=1) @ values(link.W_f.W).T + values(link.W_f.b))
    h_bar = np.tanh(np.concatenate([f * h, x], axis=1) @ values(link.W_h.W).T + values(link.W_h.b))
    out: Array = f * h_bar + (1 - f) * h
    return out


def test_mgu_links() -> None:
    stateless = L.StatelessMGU(3, 2)
    assert values(stateless.W_f.W).shape == (2, 5) and values(stateless.W_h.W).shape == (2, 5)
    h, x = _x((4, 2)), _x((4, 3), seed=1)
    np.testing.assert_allclose(stateless(h, x).array, _mgu_reference(stateless, h, x), rtol=1e-5, atol=1e-6)
    stateful = L.StatefulMGU(3, 2)
    y0 = stateful(x)
    np.testing.assert_allclose(y0.array, _mgu_reference(stateful, np.zeros((4, 2), np.float32), x),
                               rtol=1e-5, atol=1e-6)
    y1 = stateful(x)
    np.testing.assert_allclose(y1.array, _mgu_reference(stateful, y0.array, x), rtol=1e-5, atol=1e-6)
    stateful.set_state(Variable(h))
    np.testing.assert_allclose(stateful(x).array, _mgu_reference(stateful, h, x), rtol=1e-5, atol=1e-6)
    stateful.reset_state()
    assert stateful.h is None
    np.testing.assert_array_equal(stateful(x).array, y0.array)


def test_mgu_round_trip(tmp_path: Path) -> None:
    x = _x((2, 3))

    def call(link: Link) -> Variable:
        assert isinstance(link, L.StatefulMGU)
        link.reset_state()
        return link(x)

    assert_round_trip(tmp_path, lambda: L.StatefulMGU(3, 2), lambda: L.StatefulMGU(3, 2), call,
                      ["W_f/W", "W_f/b", "W_h/W", "W_h/b"])


# --------------------------------------------------------- StatefulPeepholeLSTM


def test_peephole_lstm_is_the_formula() -> None:
    link = L.StatefulPeepholeLSTM(3, 2)
    assert [n for n, _ in link.namedlinks(skipself=True)] == ["/lateral", "/peep_f", "/peep_i", "/peep_o", "/upward"]
    x0, x1 = _x((2, 3)), _x((2, 3), seed=1)
    c, h = np.zeros((2, 2)), None
    assert link.upward.b is not None
    for x in (x0, x1):
        pre = x @ values(link.upward.W).T + values(link.upward.b)
        if h is not None:
            pre = pre + h @ values(link.lateral.W).T
        a, i, f, o = (pre.reshape(2, 2, 4)[:, :, k] for k in range(4))
        i = _sigmoid(i + c @ values(link.peep_i.W).T)
        f = _sigmoid(f + c @ values(link.peep_f.W).T)
        c = np.tanh(a) * i + f * c
        o = _sigmoid(o + c @ values(link.peep_o.W).T)
        h = o * np.tanh(c)
        y = link(x)
        np.testing.assert_allclose(y.array, h, rtol=1e-5, atol=1e-6)
        assert link.c is not None
        np.testing.assert_allclose(link.c.array, c, rtol=1e-5, atol=1e-6)
    link.reset_state()
    assert link.c is None and link.h is None


def test_peephole_round_trip(tmp_path: Path) -> None:
    x = _x((2, 3))

    def call(link: Link) -> Variable:
        assert isinstance(link, L.StatefulPeepholeLSTM)
        link.reset_state()
        link(x)
        return link(x)

    keys = ["lateral/W", "peep_f/W", "peep_i/W", "peep_o/W", "upward/W", "upward/b"]
    assert_round_trip(tmp_path, lambda: L.StatefulPeepholeLSTM(3, 2), lambda: L.StatefulPeepholeLSTM(None, 2),
                      call, keys)
