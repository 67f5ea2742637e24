"""n_step_gru / n_step_bigru(n_layers, dropout_ratio, hx, ws, bs, xs): stacked
(bidirectional) GRUs over a batch of variable-length sequences, Chainer's arguments
and numbers, as one fused op per call (``_n_step_engine``).

Per layer (and direction) six weights and six biases: ``W_0, W_1, W_2`` multiply the
input and ``W_3, W_4, W_5`` the previous state, for the reset gate ``r``, the update
gate ``z`` and the candidate ``n``: ``r = sigmoid(W_0 x + b_0 + W_3 h + b_3)``,
``z = sigmoid(W_1 x + b_1 + W_4 h + b_4)``, ``n = tanh(W_2 x + b_2 + r (W_5 h + b_5))``,
``h' = (1 - z) n + z h``.  ``xs`` and the results as ``n_step_lstm`` (no cell
state: ``(hy, ys)``).  Double backprop differentiates Chainer's composition
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

__all__ = ["N_STEP_BIGRU", "N_STEP_GRU", "n_step_bigru", "n_step_gru"]


def _sample(draw: Draw) -> Case:
    return n_step_case(draw, N_STEP_GRU, "gru", 1)


def _sample_bi(draw: Draw) -> Case:
    return n_step_case(draw, N_STEP_BIGRU, "gru", 2)


# float32 meets the default tolerances, as n_step_lstm's.
N_STEP_GRU: MultiOutputOp[engine.NStepParams] = register(MultiOutputOp(
    "n_step_gru", engine.forward, engine.vjp, GradSpec(_sample), arg_names=("hx",),
    float_inputs=(), broadcasts=False, second_order_vjp=vjp_recorded))
N_STEP_BIGRU: MultiOutputOp[engine.NStepParams] = register(MultiOutputOp(
    "n_step_bigru", engine.forward, engine.vjp, GradSpec(_sample_bi), arg_names=("hx",),
    float_inputs=(), broadcasts=False, second_order_vjp=vjp_recorded))


def _call(op: MultiOutputOp[engine.NStepParams], directions: int, n_layers: int, dropout_ratio: float,
          hx: VariableLike, ws: Sequence[Sequence[VariableLike]], bs: Sequence[Sequence[VariableLike]],
          xs: Sequence[VariableLike], kwargs: dict[str, object]) -> tuple[Variable, tuple[Variable, ...]]:
    params, inputs, ratio = n_step_params(op.name, "gru", n_layers, dropout_ratio, hx, None, ws, bs, xs,
                                          directions, kwargs)
    (hy,), ys = n_step_call(op, params, inputs, ratio)
    return hy, ys


def n_step_gru(n_layers: int, dropout_ratio: float, hx: VariableLike, ws: Sequence[Sequence[VariableLike]],
               bs: Sequence[Sequence[VariableLike]], xs: Sequence[VariableLike], **kwargs: object
               ) -> tuple[Variable, tuple[Variable, ...]]:
    """Stacked GRU over the time steps ``xs``: ``(hy, ys)`` (see the module)."""
    return _call(N_STEP_GRU, 1, n_layers, dropout_ratio, hx, ws, bs, xs, kwargs)


def n_step_bigru(n_layers: int, dropout_ratio: float, hx: VariableLike, ws: Sequence[Sequence[VariableLike]],
                 bs: Sequence[Sequence[VariableLike]], xs: Sequence[VariableLike], **kwargs: object
                 ) -> tuple[Variable, tuple[Variable, ...]]:
    """Stacked bidirectional GRU: ``2 * n_layers`` states and weight lists; ``ys[t]``
    joins both directions."""
    return _call(N_STEP_BIGRU, 2, n_layers, dropout_ratio, hx, ws, bs, xs, kwargs)
