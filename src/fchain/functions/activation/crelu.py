"""``fchain.functions.activation.crelu``: Chainer's module path of ``crelu`` (implemented in
``fchain.ops.activation.crelu``)."""

from __future__ import annotations

from fchain.ops.activation.crelu import crelu as crelu

__all__ = ["crelu"]
