"""``fchain.functions.rnn``: Chainer's module paths of its recurrent units and
stacked recurrences (``chainer.functions.rnn.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.rnn import lstm as lstm
from fchain.functions.rnn import slstm as slstm
from fchain.functions.rnn import tree_lstm as tree_lstm

__all__ = [
    "lstm",
    "slstm",
    "tree_lstm",
]
