"""``fchain.functions.rnn.slstm``: Chainer's module path of ``slstm`` (implemented in
``fchain.ops.rnn.slstm``)."""

from __future__ import annotations

from fchain.ops.rnn.slstm import slstm as slstm

__all__ = ["slstm"]
