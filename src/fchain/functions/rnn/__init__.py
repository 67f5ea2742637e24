"""``fchain.functions.rnn``: Chainer's module paths of its recurrent units and
stacked recurrences (``chainer.functions.rnn.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.rnn import lstm as lstm
from fchain.functions.rnn import n_step_gru as n_step_gru
from fchain.functions.rnn import n_step_lstm as n_step_lstm
from fchain.functions.rnn import n_step_rnn as n_step_rnn
from fchain.functions.rnn import slstm as slstm
from fchain.functions.rnn import tree_lstm as tree_lstm

__all__ = [
    "lstm",
    "n_step_gru",
    "n_step_lstm",
    "n_step_rnn",
    "slstm",
    "tree_lstm",
]
