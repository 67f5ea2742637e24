"""n_step_rnn / n_step_birnn(n_layers, dropout_ratio, hx, ws, bs, xs, activation='tanh'):
stacked (bidirectional) Elman RNNs ``h' = f(W_0 x + b_0 + W_1 h + b_1)`` with ``f``
``tanh`` or ``relu``, over a batch of variable-length sequences, Chainer's
arguments and numbers, as one fused op per call (``_n_step_engine``).

Per layer (and direction) two weights and two biases.  ``xs`` and the results as
``n_step_gru``.  Double backprop differentiates Chainer's composition
(``_n_step_reference``).
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

__all__ = ["N_STEP_BIRNN", "N_STEP_RNN", "n_step_birnn", "n_step_rnn"]

_ACTIVATIONS = {"tanh": "rnn_tanh", "relu": "rnn_relu"}


def _sample(draw: Draw) -> Case:
    return n_step_case(draw, N_STEP_RNN, draw.choice(["rnn_tanh", "rnn_relu"]), 1)


def _sample_bi(draw: Draw) -> Case:
    return n_step_case(draw, N_STEP_BIRNN, draw.choice(["rnn_tanh", "rnn_relu"]), 2)


# float32 meets the default tolerances, as n_step_lstm's.  relu's kink: a pre-activation
# within the numerical step of 0 is improbable for these continuous draws.
N_STEP_RNN: MultiOutputOp[engine.NStepParams] = register(MultiOutputOp(
    "n_step_rnn", engine.forward, engine.vjp, GradSpec(_sample), arg_names=("hx",),
    float_inputs=(), broadcasts=False, second_order_vjp=vjp_recorded))
N_STEP_BIRNN: MultiOutputOp[engine.NStepParams] = register(MultiOutputOp(
    "n_step_birnn", engine.forward, engine.vjp, GradSpec(_sample_bi), arg_names=("hx",),
    float_inputs=(), broadcasts=False, second_order_vjp=vjp_recorded))


def _call(op: MultiOutputOp[engine.NStepParams], directions: int, n_layers: int, dropout_ratio: float,
          hx: VariableLike, ws: Sequence[Sequence[VariableLike]], bs: Sequence[Sequence[VariableLike]],
          xs: Sequence[VariableLike], activation: str, kwargs: dict[str, object]
          ) -> tuple[Variable, tuple[Variable, ...]]:
    cell = _ACTIVATIONS.get(activation) if isinstance(activation, str) else None
    if cell is None:
        raise ValueError(f"{op.name}: invalid activation {activation!r}; select from 'tanh', 'relu'")
    params, inputs, ratio = n_step_params(op.name, cell, n_layers, dropout_ratio, hx, None, ws, bs, xs,
                                          directions, kwargs)
    (hy,), ys = n_step_call(op, params, inputs, ratio)
    return hy, ys


def n_step_rnn(n_layers: int, dropout_ratio: float, hx: VariableLike, ws: Sequence[Sequence[VariableLike]],
               bs: Sequence[Sequence[VariableLike]], xs: Sequence[VariableLike], activation: str = "tanh",
               **kwargs: object) -> tuple[Variable, tuple[Variable, ...]]:
    """Stacked Elman RNN over the time steps ``xs``: ``(hy, ys)`` (see the module)."""
    return _call(N_STEP_RNN, 1, n_layers, dropout_ratio, hx, ws, bs, xs, activation, kwargs)


def n_step_birnn(n_layers: int, dropout_ratio: float, hx: VariableLike, ws: Sequence[Sequence[VariableLike]],
                 bs: Sequence[Sequence[VariableLike]], xs: Sequence[VariableLike], activation: str = "tanh",
                 **kwargs: object) -> tuple[Variable, tuple[Variable, ...]]:
    """Stacked bidirectional Elman RNN: ``2 * n_layers`` states and weight lists;
    ``ys[t]`` joins both directions."""
    return _call(N_STEP_BIRNN, 2, n_layers, dropout_ratio, hx, ws, bs, xs, activation, kwargs)
