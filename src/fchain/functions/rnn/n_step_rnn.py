"""``fchain.functions.rnn.n_step_rnn``: Chainer's module path of ``n_step_rnn`` and ``n_step_birnn`` (implemented in
``fchain.ops.rnn.n_step_rnn``)."""

from __future__ import annotations

from fchain.ops.rnn.n_step_rnn import n_step_rnn as n_step_rnn
from fchain.ops.rnn.n_step_rnn import n_step_birnn as n_step_birnn

__all__ = ["n_step_rnn", "n_step_birnn"]
