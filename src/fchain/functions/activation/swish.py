"""``fchain.functions.activation.swish``: Chainer's module path of ``swish`` (implemented in
``fchain.ops.activation.swish``)."""

from __future__ import annotations

from fchain.ops.activation.swish import swish as swish

__all__ = ["swish"]
