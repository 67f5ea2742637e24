"""``fchain.functions.activation.tanh``: Chainer's module path of ``tanh`` (implemented in
``fchain.ops.activation.tanh``)."""

from __future__ import annotations

from fchain.ops.activation.tanh import tanh as tanh

__all__ = ["tanh"]
