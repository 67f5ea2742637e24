"""n_step_lstm / n_step_bilstm(n_layers, dropout_ratio, hx, cx, ws, bs, xs): stacked
(bidirectional) LSTMs over a batch of variable-length sequences, Chainer's
arguments and numbers, as one fused op per call (``_n_step_engine``).

Per layer (and direction) eight weights and eight biases ``ws[k]``, ``bs[k]`` (``k =
layer`` or ``2 * layer + direction``): ``W_0..W_3`` multiply the input and
``W_4..W_7`` the previous state; ``W_0``/``W_4`` feed the input gate, ``W_1``/``W_5``
the forget gate, ``W_2``/``W_6`` the cell input and ``W_3``/``W_7`` the output gate
(Chainer's implementation and cuDNN; its docstring swaps the last two names).
``xs[t]`` is time step ``t`` of the sequences sorted by decreasing length
(``transpose_sequence``), ``B_t`` rows.  Returns ``(hy, cy, ys)``: the final states
``(n_layers * directions, B, units)`` and the last layer's outputs ``ys[t]``
(``(B_t, directions * units)``).  Dropout (training only) drops each layer's
input but the first.  Double backprop differentiates Chainer's composition of
``linear`` and ``lstm`` (``_n_step_reference``).
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.core.op import MultiOutputOp
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike
from fchain.ops.rnn import _n_step_engine as engine
from fchain.ops.rnn._n_step_api import n_step_call, n_step_case, n_step_params
from fchain.ops.rnn._n_step_reference import vjp_recorded

__all__ = ["N_STEP_BILSTM", "N_STEP_LSTM", "n_step_bilstm", "n_step_lstm"]


def _sample(draw: Draw) -> Case:
    return n_step_case(draw, N_STEP_LSTM, "lstm", 1)


def _sample_bi(draw: Draw) -> Case:
    return n_step_case(draw, N_STEP_BILSTM, "lstm", 2)


# float32 meets the default tolerances: the steps are few and the values small.
N_STEP_LSTM: MultiOutputOp[engine.NStepParams] = register(MultiOutputOp(
    "n_step_lstm", engine.forward, engine.vjp, GradSpec(_sample), arg_names=("hx", "cx"),
    float_inputs=(), broadcasts=False, second_order_vjp=vjp_recorded))
N_STEP_BILSTM: MultiOutputOp[engine.NStepParams] = register(MultiOutputOp(
    "n_step_bilstm", engine.forward, engine.vjp, GradSpec(_sample_bi), arg_names=("hx", "cx"),
    float_inputs=(), broadcasts=False, second_order_vjp=vjp_recorded))


def _call(op: MultiOutputOp[engine.NStepParams], name: str, directions: int, n_layers: int,
          dropout_ratio: float, hx: VariableLike, cx: VariableLike, ws: Sequence[Sequence[VariableLike]],
          bs: Sequence[Sequence[VariableLike]], xs: Sequence[VariableLike], kwargs: dict[str, object]
          ) -> tuple[Variable, Variable, tuple[Variable, ...]]:
    params, inputs, ratio = n_step_params(name, "lstm", n_layers, dropout_ratio, hx, cx, ws, bs, xs,
                                          directions, kwargs)
    (hy, cy), ys = n_step_call(op, params, inputs, ratio)
    return hy, cy, ys


def n_step_lstm(n_layers: int, dropout_ratio: float, hx: VariableLike, cx: VariableLike,
                ws: Sequence[Sequence[VariableLike]], bs: Sequence[Sequence[VariableLike]],
                xs: Sequence[VariableLike], **kwargs: object) -> tuple[Variable, Variable, tuple[Variable, ...]]:
    """Stacked LSTM over the time steps ``xs``: ``(hy, cy, ys)`` (see the module)."""
    return _call(N_STEP_LSTM, "n_step_lstm", 1, n_layers, dropout_ratio, hx, cx, ws, bs, xs, kwargs)


def n_step_bilstm(n_layers: int, dropout_ratio: float, hx: VariableLike, cx: VariableLike,
                  ws: Sequence[Sequence[VariableLike]], bs: Sequence[Sequence[VariableLike]],
                  xs: Sequence[VariableLike], **kwargs: object) -> tuple[Variable, Variable, tuple[Variable, ...]]:
    """Stacked bidirectional LSTM: ``hx``/``cx`` hold ``2 * n_layers`` states (forward
    and backward direction per layer), ``ws``/``bs`` as many lists, and ``ys[t]``
    joins both directions' outputs (``2 * units`` columns)."""
    return _call(N_STEP_BILSTM, "n_step_bilstm", 2, n_layers, dropout_ratio, hx, cx, ws, bs, xs, kwargs)
