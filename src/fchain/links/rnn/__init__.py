"""Links of Chainer's ``rnn`` category, each at Chainer's module path
(``fchain.links.rnn.lstm.LSTM``, ``fchain.links.rnn.n_step_lstm.NStepLSTM``, ...)."""

from __future__ import annotations

from fchain.links.rnn import gru as gru
from fchain.links.rnn import lstm as lstm
from fchain.links.rnn import mgu as mgu
from fchain.links.rnn import n_step_gru as n_step_gru
from fchain.links.rnn import n_step_lstm as n_step_lstm
from fchain.links.rnn import n_step_rnn as n_step_rnn
from fchain.links.rnn import peephole as peephole

__all__ = [
    "gru",
    "lstm",
    "mgu",
    "n_step_gru",
    "n_step_lstm",
    "n_step_rnn",
    "peephole",
]
