"""The fused n_step functions against Chainer's composition of fchain ops
(``_n_step_reference``: per-step ``linear`` + ``lstm``/GRU/RNN cells, split and
joined at every shrinking batch), against the documented equations written out
here, and their argument errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core.backend import to_numpy
from fchain.errors import ShapeError
from fchain.graph.device import get_device
from fchain.ops.rnn import n_step_gru, n_step_lstm, n_step_rnn
from fchain.ops.rnn._n_step_api import n_step_call
from fchain.ops.rnn._n_step_cells import CELLS
from fchain.ops.rnn._n_step_engine import NStepParams
from fchain.ops.rnn._n_step_reference import reference
from fchain.types import Array
from tests.conftest import DEVICES

RNG = numpy.random.default_rng(35)

OPS = {
    "lstm": (n_step_lstm.N_STEP_LSTM, n_step_lstm.N_STEP_BILSTM),
    "gru": (n_step_gru.N_STEP_GRU, n_step_gru.N_STEP_BIGRU),
    "rnn_tanh": (n_step_rnn.N_STEP_RNN, n_step_rnn.N_STEP_BIRNN),
    "rnn_relu": (n_step_rnn.N_STEP_RNN, n_step_rnn.N_STEP_BIRNN),
}


def _inputs(cell_name: str, n_layers: int, directions: int, sizes: tuple[int, ...], units: int, n_in: int,
            dropout: bool) -> tuple[NStepParams, list[Array]]:
    cell = CELLS[cell_name]
    params = NStepParams("test", cell_name, n_layers, directions, sizes, units, n_in, dropout)
    arrays = [RNG.standard_normal((n_layers * directions, sizes[0], units)) for _ in range(params.n_states)]
    ws, bs = [], []
    for k in range(n_layers * directions):
        layer_in = n_in if k < directions else directions * units
        for j in range(cell.n_weights):
            ws.append(RNG.standard_normal((units, layer_in if j in cell.x_order else units)) * 0.6)
            bs.append(RNG.standard_normal(units) * 0.6)
    xs = [RNG.standard_normal((b, n_in)) for b in sizes]
    masks = [(RNG.uniform(size=(sum(sizes), directions * units)) >= 0.3) / 0.7 for _ in range(params.n_masks)]
    return params, arrays + ws + bs + xs + masks


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("directions", [1, 2])
@pytest.mark.parametrize("cell_name", sorted(CELLS))
def test_the_fused_op_equals_chainers_composition_forward_and_backward(cell_name: str, directions: int,
                                                                        device: str) -> None:
    params, arrays = _inputs(cell_name, 2, directions, (4, 3, 3, 1), 3, 5, dropout=True)
    arrays = [get_device(device).send(a) for a in arrays]
    n = params.n_inputs - params.n_masks
    op = OPS[cell_name][directions - 1]
    fused_in = [fchain.Variable(a) for a in arrays[:n]]
    composed_in = [fchain.Variable(a) for a in arrays[:n]]
    states, ys = n_step_call(op, params, list(fused_in), 0.3, arrays[n:])
    fused = states + ys
    composed = reference(params, [*composed_in, *arrays[n:]])
    assert len(fused) == len(composed)
    gys = [get_device(device).send(RNG.standard_normal(y.shape)) for y in fused]
    for a, b in zip(fused, composed):
        assert a.shape == b.shape
        numpy.testing.assert_allclose(to_numpy(a.array), to_numpy(b.array), rtol=1e-12, atol=1e-14)
    fchain.backward(list(fused), gys)
    fchain.backward(list(composed), gys)
    for i, (a, b) in enumerate(zip(fused_in, composed_in)):
        assert a.grad is not None and b.grad is not None, i
        numpy.testing.assert_allclose(to_numpy(a.grad), to_numpy(b.grad), rtol=1e-10, atol=1e-12, err_msg=str(i))


def _sig(x: Array) -> Array:
    out: Array = 1 / (1 + numpy.exp(-x))
    return out


def test_n_step_lstm_uses_chainers_weight_order() -> None:
    """W_0/W_4 input gate, W_1/W_5 forget gate, W_2/W_6 cell input, W_3/W_7 output
    gate (Chainer's code and cuDNN: the names its docstring gives the last two are
    swapped)."""
    units, n_in = 3, 2
    w = [RNG.standard_normal((units, n_in if j < 4 else units)) for j in range(8)]
    b = [RNG.standard_normal(units) for _ in range(8)]
    hx, cx = RNG.standard_normal((1, 2, units)), RNG.standard_normal((1, 2, units))
    x = RNG.standard_normal((2, n_in))
    hy, cy, ys = F.n_step_lstm(1, 0.0, hx, cx, [w], [b], [x])

    def gate(j: int) -> Array:
        out: Array = x @ w[j].T + b[j] + hx[0] @ w[j + 4].T + b[j + 4]
        return out

    c = _sig(gate(1)) * cx[0] + _sig(gate(0)) * numpy.tanh(gate(2))
    h = _sig(gate(3)) * numpy.tanh(c)
    numpy.testing.assert_allclose(cy.array[0], c, rtol=1e-12)
    numpy.testing.assert_allclose(hy.array[0], h, rtol=1e-12)
    numpy.testing.assert_allclose(ys[0].array, h, rtol=1e-12)


def test_n_step_gru_and_rnn_follow_the_documented_equations() -> None:
    units, n_in = 2, 3
    w = [RNG.standard_normal((units, n_in if j < 3 else units)) for j in range(6)]
    b = [RNG.standard_normal(units) for _ in range(6)]
    hx, x = RNG.standard_normal((1, 2, units)), RNG.standard_normal((2, n_in))
    hy, _ = F.n_step_gru(1, 0.0, hx, [w], [b], [x])
    h = hx[0]
    r = _sig(x @ w[0].T + b[0] + h @ w[3].T + b[3])
    z = _sig(x @ w[1].T + b[1] + h @ w[4].T + b[4])
    n = numpy.tanh(x @ w[2].T + b[2] + r * (h @ w[5].T + b[5]))
    numpy.testing.assert_allclose(hy.array[0], (1 - z) * n + z * h, rtol=1e-12)
    hy, _ = F.n_step_rnn(1, 0.0, hx, [w[:1] + w[3:4]], [b[:2]], [x], activation="relu")
    numpy.testing.assert_allclose(hy.array[0], numpy.maximum(x @ w[0].T + b[0] + h @ w[3].T + b[1], 0), rtol=1e-12)


def test_ended_sequences_keep_their_last_state_and_the_backward_direction_starts_at_their_end() -> None:
    """Two sequences of lengths 3 and 1, run together, give each one's results run
    alone (the final state of the short one is its state after its own last step)."""
    units, n_in = 2, 2
    ws = [[RNG.standard_normal((units, n_in if j < 2 else units)) for j in range(6)] for _ in range(2)]
    ws = [[w if w.shape[1] == n_in else w[:, :units] for w in row] for row in ws]
    bs = [[RNG.standard_normal(units) for _ in range(6)] for _ in range(2)]
    long, short = RNG.standard_normal((3, n_in)), RNG.standard_normal((1, n_in))
    hx = RNG.standard_normal((2, 2, units))
    xs = F.transpose_sequence([long, short])
    hy, ys = F.n_step_bigru(1, 0.0, hx, ws, bs, list(xs))
    hy_long, ys_long = F.n_step_bigru(1, 0.0, hx[:, :1], ws, bs, [long[t:t + 1] for t in range(3)])
    hy_short, ys_short = F.n_step_bigru(1, 0.0, hx[:, 1:], ws, bs, [short])
    numpy.testing.assert_allclose(hy.array[:, 0], hy_long.array[:, 0], rtol=1e-12)
    numpy.testing.assert_allclose(hy.array[:, 1], hy_short.array[:, 0], rtol=1e-12)
    numpy.testing.assert_allclose(ys[0].array[1], ys_short[0].array[0], rtol=1e-12)
    for t in range(3):
        numpy.testing.assert_allclose(ys[t].array[0], ys_long[t].array[0], rtol=1e-12)


def _lstm_args(n_layers: int = 2, units: int = 3, n_in: int = 4) -> dict[str, Any]:
    ws = [[numpy.zeros((units, n_in if k == 0 and j < 4 else units), numpy.float32) for j in range(8)]
          for k in range(n_layers)]
    bs = [[numpy.zeros(units, numpy.float32) for _ in range(8)] for _ in range(n_layers)]
    h = numpy.zeros((n_layers, 2, units), numpy.float32)
    return {"n_layers": n_layers, "dropout_ratio": 0.5, "hx": h, "cx": h.copy(), "ws": ws, "bs": bs,
            "xs": [numpy.ones((2, n_in), numpy.float32), numpy.ones((1, n_in), numpy.float32)]}


def test_dropout_applies_in_training_between_layers_only() -> None:
    args = _lstm_args()
    for row in args["ws"]:
        for w in row:
            w[...] = 0.3
    with fchain.using_config("train", False):
        _, _, plain = F.n_step_lstm(**args)
        _, _, again = F.n_step_lstm(**args)
    numpy.testing.assert_array_equal(plain[0].array, again[0].array)
    _, _, dropped = F.n_step_lstm(**args)
    assert not numpy.array_equal(plain[0].array, dropped[0].array)
    _, _, one_layer = F.n_step_lstm(**{**args, "n_layers": 1, "hx": args["hx"][:1], "cx": args["cx"][:1],
                                       "ws": args["ws"][:1], "bs": args["bs"][:1]})
    with fchain.using_config("train", False):
        _, _, one_layer_eval = F.n_step_lstm(**{**args, "n_layers": 1, "hx": args["hx"][:1],
                                                "cx": args["cx"][:1], "ws": args["ws"][:1], "bs": args["bs"][:1]})
    numpy.testing.assert_array_equal(one_layer[0].array, one_layer_eval[0].array)


def _bad(**changes: Any) -> Callable[[], object]:
    return lambda: F.n_step_lstm(**{**_lstm_args(), **changes})


@pytest.mark.parametrize("call, error, message", [
    (_bad(hx=numpy.zeros((3, 2, 3), numpy.float32)), ShapeError,
     r"n_step_lstm: hx must have shape \(2, batch, units\)"),
    (_bad(cx=numpy.zeros((2, 2, 4), numpy.float32)), ShapeError, r"n_step_lstm: cx must have hx's shape"),
    (_bad(xs=[numpy.ones((1, 4), numpy.float32), numpy.ones((2, 4), numpy.float32)]), ShapeError,
     r"n_step_lstm: xs\[1\] has 2 rows but xs\[0\] has 1; sort the sequences"),
    (_bad(xs=[numpy.ones((2, 5), numpy.float32)]), ShapeError,
     "n_step_lstm: inconsistent input size in input values and weight parameters"),
    (_bad(ws=[[numpy.zeros((3, 4), numpy.float32)] * 8]), ShapeError,
     "n_step_lstm: ws must be a list of 2 lists"),
    (_bad(bs=[[numpy.zeros(3, numpy.float32)] * 7] * 2), ShapeError,
     r"n_step_lstm: bs\[0\] must be a list of 8 arrays, got 7 arrays"),
    (_bad(dropout_ratio=1.0), ValueError, r"n_step_lstm: dropout_ratio must be in \[0, 1\)"),
    (_bad(n_layers=0), ValueError, "n_step_lstm: n_layers must be at least 1"),
    (_bad(xs=[numpy.ones((2, 4))]), TypeError, r"n_step_lstm: xs\[0\] has dtype float64 but hx has float32"),
    (lambda: F.n_step_lstm(**_lstm_args(), train=True), ValueError,
     "n_step_lstm: the train argument is not supported anymore"),
    (lambda: F.n_step_rnn(1, 0.0, numpy.zeros((1, 1, 2)), [[numpy.zeros((2, 2))] * 2], [[numpy.zeros(2)] * 2],
                          [numpy.zeros((1, 2))], activation="sigmoid"), ValueError,
     "n_step_rnn: invalid activation 'sigmoid'"),
])
def test_n_step_errors_name_the_function_and_argument(call: Callable[[], object], error: type[Exception],
                                                      message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_states_larger_than_the_first_step_three_layers_and_tuples() -> None:
    """hx may hold more rows than the first step (those keep their state); three
    layers; ws and bs as tuples of tuples, xs as a tuple."""
    params, arrays = _inputs("lstm", 3, 1, (2, 2, 1), 2, 3, dropout=False)
    big = [numpy.concatenate([a, RNG.standard_normal((3, 1, 2))], axis=1) for a in arrays[:2]]
    ws = tuple(tuple(arrays[2 + 8 * k:2 + 8 * (k + 1)]) for k in range(3))
    bs = tuple(tuple(arrays[26 + 8 * k:26 + 8 * (k + 1)]) for k in range(3))
    xs = tuple(arrays[50:])
    hy, cy, ys = F.n_step_lstm(3, 0.0, big[0], big[1], ws, bs, xs)
    wide = NStepParams("test", "lstm", 3, 1, (2, 2, 1), 2, 3, False)
    want = reference(wide, [*big, *[w for row in ws for w in row], *[b for row in bs for b in row], *xs])
    numpy.testing.assert_array_equal(hy.array[:, 2], big[0][:, 2])
    numpy.testing.assert_array_equal(cy.array[:, 2], big[1][:, 2])
    for got, exp in zip((hy, cy, *ys), want):
        numpy.testing.assert_allclose(got.array, exp.array, rtol=1e-12)
