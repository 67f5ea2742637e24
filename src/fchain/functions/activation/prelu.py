"""``fchain.functions.activation.prelu``: Chainer's module path of ``prelu`` (implemented in
``fchain.ops.activation.prelu``)."""

from __future__ import annotations

from fchain.ops.activation.prelu import prelu as prelu

__all__ = ["prelu"]
