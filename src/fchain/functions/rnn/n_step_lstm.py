"""``fchain.functions.rnn.n_step_lstm``: Chainer's module path of ``n_step_lstm`` and ``n_step_bilstm`` (implemented in
``fchain.ops.rnn.n_step_lstm``)."""

from __future__ import annotations

from fchain.ops.rnn.n_step_lstm import n_step_lstm as n_step_lstm
from fchain.ops.rnn.n_step_lstm import n_step_bilstm as n_step_bilstm

__all__ = ["n_step_lstm", "n_step_bilstm"]
