"""``fchain.functions.rnn.tree_lstm``: Chainer's module path of ``tree_lstm`` (implemented in
``fchain.ops.rnn.tree_lstm``)."""

from __future__ import annotations

from fchain.ops.rnn.tree_lstm import tree_lstm as tree_lstm

__all__ = ["tree_lstm"]
