"""``fchain.functions.rnn.lstm``: Chainer's module path of ``lstm`` (implemented in
``fchain.ops.rnn.lstm``)."""

from __future__ import annotations

from fchain.ops.rnn.lstm import lstm as lstm

__all__ = ["lstm"]
