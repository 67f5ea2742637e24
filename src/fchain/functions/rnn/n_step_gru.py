"""``fchain.functions.rnn.n_step_gru``: Chainer's module path of ``n_step_gru`` and ``n_step_bigru`` (implemented in
``fchain.ops.rnn.n_step_gru``)."""

from __future__ import annotations

from fchain.ops.rnn.n_step_gru import n_step_gru as n_step_gru
from fchain.ops.rnn.n_step_gru import n_step_bigru as n_step_bigru

__all__ = ["n_step_gru", "n_step_bigru"]
